import { chooseByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * When a graceful close closes an idle connection while another is in use: at once, or with the
 * rest after the last release. `idle-at-once` is the narrower claim (an `after-last-release`
 * declaration also admits a pool that closes idle ones at once), so it is tried first.
 */
export const gracefulCloseProbe: Probe = {
  name: 'graceful-close',
  fields: ['gracefulClose'],
  run(context) {
    return chooseByOracle(
      context,
      { name: this.name, field: 'gracefulClose' }, { config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'close' }] },
      [
        { value: 'idle-at-once', patch: { gracefulClose: 'idle-at-once' } },
        { value: 'after-last-release', patch: { gracefulClose: 'after-last-release' } },
      ],
    );
  },
};
