import { capabilityByOracle, off, type Scenario } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * Whether the adapter's `destroy` discards an in-use connection and frees its capacity, as the
 * model expects: at min 2, so a pool that refills the min after a discard (which only
 * `min: 'floor-refill'` declares) shows it; with a waiter behind it where the pool has waiters.
 */
export const destroyProbe: Probe = {
  name: 'destroy',
  fields: ['capabilities.destroy'],
  needs: ['min', 'gracefulClose', 'capabilities.waiters'],
  run(context) {
    if (typeof context.adapter.destroy !== 'function') return Promise.resolve(off('capabilities.destroy', 'the adapter has no destroy(pool, conn) method', 'destroy'));
    // At min 2 a discard leaves the pool below min: a pool that opens one back at once must say
    // so with `min: 'floor-refill'`. With waiters, a waiter behind the discarded connection gets a
    // new one.
    const config = { minSize: 2, maxSize: 2, lifetimeMs: 60_000 };
    const scenarios: Scenario[] = [{ config, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'destroy', connection: 1 }, { op: 'sleep', ms: 10 }, { op: 'acquire' }] }];
    if (context.known.capabilities?.waiters === true) scenarios.push({ config, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'destroy', connection: 1 }, { op: 'sleep', ms: 10 }] });
    return capabilityByOracle(context, { name: this.name, capability: 'destroy' }, scenarios);
  },
};
