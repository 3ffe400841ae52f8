import type { ModelState } from './state.js';
import { inFlightTillIo } from './answers.js';
import { timePassed } from './timers.js';

/**
 * The synchronous stretch of a discard, a break or a release is over: a connect for the queue
 * that failed at once in it (`headRejected`, its head already rejected) is seen to fail, freeing
 * its slot, and the pool looks at its queue again (sequelize-pool's catch dispenses on the next
 * tick, Pool.js:158-160); where such connects land by I/O ({@link inFlightTillIo}), they land now,
 * after those looks. An acquire's stretch sees them as its time passes (`landedAtOnce`).
 */
export function stretchOver(state: ModelState): ModelState {
  const byIo = inFlightTillIo(state);
  return state.connecting.some((c) => c.readyAt <= state.now && (c.headRejected === true || byIo)) ? timePassed(state) : state;
}
