import type { Handoff } from './semantics.js';

/**
 * How an acquire that finds an idle connection hands it over, and what that means when the loop
 * wakes from a block with expiry timers overdue. Pure: the measured Node order lives here as
 * data, and the real-loop fidelity test checks both this and the fake clock against Node.
 */

/**
 * Where the blocked loop goes next when it wakes, which decides whether a `setImmediate` queued
 * by the woken code runs before the timers that came due during the block.
 * - `timers`: the timers phase comes first, so the overdue timers run before that immediate. This
 *   is a block in code resumed by an awaited timer sleep that sets a timer as it goes on (the
 *   seed scenario's loop), or a block in a `setImmediate` callback (the check phase).
 * - `io`: the check phase comes first, so the immediate runs before the overdue timers. This is a
 *   block in an I/O callback (the poll phase), and also a block directly in a timer callback, or
 *   in code an awaited timer resumed that sets no timer before it yields (Node's timers phase
 *   runs only timers that were due when the phase began).
 */
export type WakePhase = 'timers' | 'io';

export const WAKE_PHASES: readonly WakePhase[] = ['timers', 'io'];

/** The phase of a blocking sleep saved before phases existed: the seed scenario's shape. */
export const DEFAULT_WAKE_PHASE: WakePhase = 'timers';

/**
 * Whether an acquire issued by the code a blocked loop wakes into gets its connection before the
 * expiry timers that came due during the block fire. Measured on Node 20 (see
 * properties/fidelity.test.ts): a microtask or nextTick always runs first; a `setImmediate` runs
 * first only when the loop goes on to the check phase; a `setTimeout(0)` is due after every
 * overdue timer, so it never does.
 */
export function handoffBeatsOverdue(handoff: Handoff, phase: WakePhase): boolean {
  switch (handoff) {
    case 'microtask':
      return true;
    case 'immediate':
      return phase === 'io';
    case 'timeout':
      return false;
  }
}
