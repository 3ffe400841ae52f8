import { answer, doom, serveWaiters } from './answers.js';
import { refillServesQueue } from './queue-refill.js';
import { stretchOver } from './failed-head.js';
import type { Answer, ModelState } from './state.js';
import { withState } from './copy.js';
import { abortClosesCheck, checkGivenUp } from './head-check.js';
import { timePassed } from './timers.js';
import { brokenIdleOf } from './semantics.js';
import { brokeUnnoticed } from './unnoticed.js';

/**
 * Faults and interruptions the commands inject: a failed or slow connect, validation or query, a
 * discard, a broken idle connection, an abort. Each says what the pool must do about it.
 */

/** The next validation fails. */
export function validationWillFail(state: ModelState): ModelState {
  return withState(state, { validationFails: true });
}

/** The next query, an async validation among them, takes `ms` of virtual time. */
export function queryWillTake(state: ModelState, ms: number): ModelState {
  return withState(state, { queryDelay: ms });
}

/**
 * Acquire `ticket` was aborted: it is rejected now. A waiter leaves the queue; a connect or a
 * validation in flight for it goes on, and lands for nobody.
 */
export function aborted(state: ModelState, ticket: number): ModelState {
  const rejected: Answer = { ticket, outcome: 'rejected', reason: 'aborted' };
  if (state.waiters.some((w) => w.ticket === ticket)) return answer(withState(state, { waiters: state.waiters.filter((w) => w.ticket !== ticket) }), rejected);
  if (state.connecting.some((c) => c.ticket === ticket)) return answer(withState(state, { connecting: state.connecting.map((c) => (c.ticket === ticket ? { ...c, ticket: null, aborted: true as const } : c)) }), rejected);
  const check = state.validating.find((v) => v.ticket === ticket);
  // The look the close sets off from a zero-delay timer comes within the step.
  if (check !== undefined && abortClosesCheck(state)) return timePassed(checkGivenUp(answer(withState(state, { validating: state.validating.filter((v) => v !== check) }), rejected), check, 'check-aborted'));
  if (check !== undefined) return answer(withState(state, { validating: state.validating.map((v) => (v.ticket === ticket ? { ...v, ticket: null } : v)) }), rejected);
  throw new Error(`poolcheck model: acquire #${ticket} is not pending`);
}

/** Tickets of the acquires still pending: waiting, connecting or validating. */
export function pendingTickets(state: ModelState): number[] {
  const tickets = [...state.waiters.map((w) => w.ticket), ...state.connecting.map((c) => c.ticket), ...state.validating.map((v) => v.ticket)];
  return tickets.filter((t): t is number => t !== null).sort((a, b) => a - b);
}

/** The next connect fails. */
export function connectWillFail(state: ModelState): ModelState {
  return withState(state, { failNext: true });
}

/** The next connect takes `ms` of virtual time. */
export function connectWillTake(state: ModelState, ms: number): ModelState {
  return withState(state, { connectDelay: ms });
}

/** The holder discarded connection `id`: the pool closes it now, and its capacity serves a waiter. */
export function discarded(state: ModelState, id: number): ModelState {
  return stretchOver(serveWaiters(refillServesQueue(doom(state, id, 'discarded'))));
}

/**
 * The server ended idle connection `id`: the pool drops it now, and never hands it out; or, where
 * it does not hear of it, it stays idle until a check or a query finds it broken.
 */
export function brokeIdle(state: ModelState, id: number): ModelState {
  if (brokenIdleOf(state.semantics) === 'unnoticed') return brokeUnnoticed(state, id);
  return stretchOver(serveWaiters(refillServesQueue(doom(state, id, 'broken'))));
}
