import { capabilityByOracle, off } from '../choose.js';
import type { Probe } from '../types.js';

/** Whether close() rejects an acquire still waiting, when it begins. */
export const closeRejectsWaitersProbe: Probe = {
  name: 'close-rejects-waiters',
  fields: ['capabilities.closeRejectsWaiters'],
  needs: ['capabilities.waiters', 'gracefulClose'],
  run(context) {
    if (context.known.capabilities?.waiters !== true) return Promise.resolve(off('capabilities.closeRejectsWaiters', 'no waiters, so there is none to reject', 'closeRejectsWaiters'));
    return capabilityByOracle(context, { name: this.name, capability: 'closeRejectsWaiters' }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'close' }] });
  },
};
