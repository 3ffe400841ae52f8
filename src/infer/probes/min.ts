import { chooseByOracle } from '../choose.js';
import { expirySpan } from '../span.js';
import type { Probe } from '../types.js';

/**
 * What expiry does with `minSize`: min 1, two connections released together, then one sleep past
 * their expiry window. `ignored`: both go; `floor`: one stays; `floor-refill`: both go and the
 * pool opens one back. The lifetime is long enough that a refilled connection cannot expire in
 * the probe, so the answer does not depend on what arms its idle clock (probed later).
 */
export const minProbe: Probe = {
  name: 'min',
  fields: ['min'],
  needs: ['expiry', 'opensMinOnCreate'],
  run(context) {
    const span = expirySpan(context.known.expiry, 3);
    const lifetimeMs = Math.max(1_000, 3 * (span + 10));
    return chooseByOracle(
      context,
      { name: this.name, field: 'min' }, { config: { minSize: 1, maxSize: 3, lifetimeMs }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'release', connection: 2 }, { op: 'sleep', ms: lifetimeMs + span + 10 }] },
      [
        { value: 'ignored', patch: { min: 'ignored' } },
        { value: 'floor', patch: { min: 'floor' } },
        { value: 'floor-refill', patch: { min: 'floor-refill' } },
      ],
    );
  },
};
