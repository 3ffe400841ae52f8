import { normalizeMin, type MinRefill } from '../../model/semantics.js';
import { chooseByOracle, off, type Scenario } from '../choose.js';
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
  async run(context) {
    if (typeof context.adapter.destroy !== 'function') return off('capabilities.destroy', 'the adapter has no destroy(pool, conn) method', 'destroy');
    // At min 2 a discard leaves the pool below min: a pool that opens one back at once must say
    // so with `min: 'floor-refill'`. With waiters, a waiter behind the discarded connection gets a
    // new one.
    const config = { minSize: 2, maxSize: 2, lifetimeMs: 60_000 };
    const scenarios: Scenario[] = [{ config, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'destroy', connection: 1 }, { op: 'sleep', ms: 10 }, { op: 'acquire' }] }];
    if (context.known.capabilities?.waiters === true) scenarios.push({ config, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'destroy', connection: 1 }, { op: 'sleep', ms: 10 }] });
    // A pool that opens the min back up after a discard says so with a refill after a discard.
    const min = normalizeMin(context.known);
    const refill = min.refill;
    const withRefill: MinRefill[] = refill.includes('after-discard') ? [...refill] : [...refill, 'after-discard'];
    const found = await chooseByOracle(context, { name: this.name, field: 'capabilities.destroy' }, scenarios, [
      { value: true, patch: { capabilities: { destroy: true } } },
      // The shorthand cannot say it: min becomes the fields it stands for, with the refill added.
      { value: true, patch: { capabilities: { destroy: true }, min: undefined, opensMinOnCreate: undefined, minFloor: min.floor, minRefill: withRefill, minOpens: min.opens } },
    ]);
    if (found.kind === 'contradiction') return off('capabilities.destroy', found.contradiction.observation.replace(/^no value fits (.*?); true ruled out: /, '$1 does not fit it on: '), 'destroy');
    if (found.patch.minRefill === undefined) return found;
    return { ...found, findings: [...found.findings, { field: 'minRefill', value: withRefill, evidence: `${found.findings[0]!.evidence}: with destroy on, it fits only with a refill after a discard` }] };
  },
};
