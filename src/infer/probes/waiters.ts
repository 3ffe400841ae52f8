import { capabilityByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/** Whether an acquire at max waits and is served by the next release: max 1, two acquires, a release. */
export const waitersProbe: Probe = {
  name: 'waiters',
  fields: ['capabilities.waiters'],
  run(context) {
    return capabilityByOracle(context, { name: this.name, capability: 'waiters' }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [
      { op: 'acquire' },
      { op: 'acquire' },
      { op: 'release', connection: 1 },
      { op: 'release', connection: 1 },
    ] });
  },
};
