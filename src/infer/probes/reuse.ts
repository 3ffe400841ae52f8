import { chooseByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/** Which idle connection an acquire gets: release #1, then #2, and see which the next acquire takes. */
export const reuseProbe: Probe = {
  name: 'reuse',
  fields: ['reuse'],
  needs: ['gracefulClose'],
  run(context) {
    return chooseByOracle(
      context,
      { name: this.name, field: 'reuse' }, { config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'release', connection: 2 }, { op: 'acquire' }] },
      [
        { value: 'lifo', patch: { reuse: 'lifo' } },
        { value: 'fifo', patch: { reuse: 'fifo' } },
      ],
    );
  },
};
