import type { CommandJson } from '../../commands/json.js';
import { WAKE_PHASES, type WakePhase } from '../../model/handoff.js';
import { chooseByOracle } from '../choose.js';
import { expirySpan } from '../span.js';
import type { Probe } from '../types.js';

const LIFETIME_MS = 1_000;

/**
 * How an acquire gets an idle connection when a blocked loop wakes with that connection's expiry
 * overdue: in a microtask (before the overdue expiry), a `setImmediate` (after it when the loop
 * blocked in the timers phase, before it after an I/O callback) or a `setTimeout(0)` (after it). The block lasts
 * past the connection's whole expiry window, so it needs the expiry trigger found first.
 */
export const handoffProbe: Probe = {
  name: 'handoff',
  fields: ['handoff'],
  needs: ['expiry'],
  run(context) {
    const block = LIFETIME_MS + expirySpan(context.known.expiry, 1) + 10;
    const commands = (phase: WakePhase): CommandJson[] => [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: block, acquireOnWake: true, phase }];
    return chooseByOracle(
      context,
      { name: this.name, field: 'handoff' },
      // A block that ends in the timers phase and one that ends in an I/O callback: after the
      // second a setImmediate hand-off beats the overdue timers, which a setTimeout(0) one never does.
      WAKE_PHASES.map((phase) => ({ config: { minSize: 0, maxSize: 1, lifetimeMs: LIFETIME_MS }, commands: commands(phase) })),
      [
        { value: 'microtask', patch: { handoff: 'microtask' } },
        { value: 'immediate', patch: { handoff: 'immediate' } },
        { value: 'timeout', patch: { handoff: 'timeout' } },
      ],
    );
  },
};
