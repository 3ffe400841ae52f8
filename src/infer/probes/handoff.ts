import { chooseByOracle } from '../choose.js';
import { expirySpan } from '../span.js';
import type { Probe } from '../types.js';

const LIFETIME_MS = 1_000;

/**
 * How an acquire gets an idle connection when a blocked loop wakes with that connection's expiry
 * overdue: before the overdue expiry runs (`microtask`) or after it (`macrotask`). The block lasts
 * past the connection's whole expiry window, so it needs the expiry trigger found first.
 */
export const handoffProbe: Probe = {
  name: 'handoff',
  fields: ['handoff'],
  needs: ['expiry'],
  run(context) {
    const block = LIFETIME_MS + expirySpan(context.known.expiry, 1) + 10;
    return chooseByOracle(
      context,
      { name: this.name, field: 'handoff' }, { config: { minSize: 0, maxSize: 1, lifetimeMs: LIFETIME_MS }, commands: [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: block, acquireOnWake: true }] },
      [
        { value: 'microtask', patch: { handoff: 'microtask' } },
        { value: 'macrotask', patch: { handoff: 'macrotask' } },
      ],
    );
  },
};
