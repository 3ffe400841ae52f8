import { connectServesOf, minOf, validationOf } from './semantics.js';
import { acquireTookSlot } from './acquire-took.js';
import { findConn, replaceConn, type Answer, type ModelConn, type ModelState, type TimerKey } from './state.js';
import { withState } from './copy.js';

/**
 * An acquire that takes an idle connection into an asynchronous check has taken its capacity as
 * the check begins, as it has when its slow connect begins: what an acquire sets off in the pool
 * (a refill at each acquire, min opened at the first) happens then, once, whatever the check
 * answers and whatever the acquire tries after a failed one (the own pool's `acquireTook`, run in
 * `acquire()` as `checkout` starts the check, its refill decided once the synchronous stretch is
 * over, before any check answers). Where connects serve the queue head, an acquire takes nothing
 * of its own, and the refill follows its answer as before. Only where an acquire sets anything off.
 */
export function checkTakesSlot(state: ModelState): boolean {
  const min = minOf(state.semantics);
  return (min.refill.includes('at-acquire') || min.opens === 'first-acquire') && validationOf(state.semantics) === 'async' && connectServesOf(state.semantics) === 'its-acquire';
}

/**
 * Acquires took the connections `ids` into their checks: the refill at an acquire is decided now,
 * with those connections open and not idle (under check).
 */
export function tookIntoChecks(before: ModelState, ids: readonly number[]): ModelState {
  const taken: ModelConn[] = [];
  let state = before;
  for (const id of ids) {
    const conn = findConn(state, id) as ModelConn;
    taken.push(conn);
    if (conn.state !== 'validating') state = replaceConn(state, { ...conn, state: 'validating' });
  }
  state = acquireTookSlot(state, `the acquire of #${ids[0] as number}`, { exact: true });
  // Only the refill was decided: each connection goes on as the check it is under says.
  for (const conn of taken) state = replaceConn(state, conn);
  return state;
}

/**
 * A waiter was handed connection `id` as a check's reply was handled (its acquire was aborted):
 * the waiter's acquire takes its slot then, and what it sets off is decided there, among the
 * timers firing at that instant (`timer`; left out, after all of them, as a blocked loop wakes).
 */
export function tookAsHanded(state: ModelState, from: number, ticket: number, id: number, timer: TimerKey | undefined): ModelState {
  const took = acquireTookSlot(state, `the acquire of #${id}`, timer === undefined ? { exact: true } : { timer });
  return answersTook(took, from, ticket);
}

/**
 * The answers given since the `from`th (to acquire `ticket`, or to every acquire) are to acquires
 * that took their capacity already: the runner sets off nothing more for them.
 */
export function answersTook(state: ModelState, from: number, ticket?: number): ModelState {
  if (state.answers.length === from) return state;
  const answers = state.answers.map((a, i): Answer => (i < from || (ticket !== undefined && a.ticket !== ticket) ? a : a.outcome === 'served' || a.reason === 'connect failed' ? { ...a, tookSlot: true } : a));
  return withState(state, { answers });
}
