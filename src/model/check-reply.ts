import { checkServesOf, validationOf } from './semantics.js';
import type { CheckReply, Connecting, ModelState } from './state.js';
import { withState } from './copy.js';
import { answer, servedNew } from './answers.js';
import { placeholderSettled } from './fresh-check.js';

/*
 * A check that serves the queue head (`validation: { check: 'async', serves: 'queue-head' }`) is
 * a query the pool awaits, and a check that passes is answered by the server's reply. A new
 * connection that lands as a blocked loop wakes (its connect's timer overdue) starts its check
 * in that timer's callback, and the reply comes after every overdue timer, whichever phase the
 * loop wakes into: the timers phase fires them all before the reply's phase comes round. A
 * waiter whose timeout came due during the block is rejected first, and the connection goes to
 * whoever heads the queue when the reply comes, or idle (generic-pool's `_testOnBorrow` then
 * `_dispatchPooledResourceToNextWaitingClient`, Pool.js:166-192, 271-289).
 */

/** Whether a new connection's passing check, begun now, is answered by a reply after the overdue timers of a wake. */
export function repliesAfterWake(state: ModelState): boolean {
  return state.waking === true && checkServesOf(state.semantics) === 'queue-head' && validationOf(state.semantics) === 'async';
}

/**
 * Connect `c` landed at a wake and its check passed: the reply is due after every overdue timer.
 * Replies come in the order they were queued, the order their timers fired (due time, then the
 * order they were set in), which is the order the model fires them in: each takes the next order.
 */
export function replyAfterWake(state: ModelState, c: Connecting): ModelState {
  const reply: CheckReply = { startedAt: c.startedAt, due: c.readyAt, order: state.nextOrder, ...(c.seq === undefined ? {} : { seq: c.seq }) };
  return pending(withState(state, { nextOrder: state.nextOrder + 1 }), reply);
}

/**
 * A connection the pool opened at once lands for the head of the queue and passes its check: the
 * head gets it now, or, inside a wake's overdue timers, when the reply comes after them.
 */
export function newConnectionServesHead(state: ModelState): ModelState {
  if (repliesAfterWake(state)) {
    const reply: CheckReply = { startedAt: state.now, due: state.now, order: state.nextOrder, seq: state.nextIdleSeq };
    return pending(withState(state, { nextOrder: state.nextOrder + 1 }), reply);
  }
  const [head, ...rest] = state.waiters;
  if (head === undefined) return state;
  return answer(servedNew(withState(state, { waiters: rest }), state.now), { ticket: head.ticket, outcome: 'served', candidates: [] });
}

/** The reply is due; the connection keeps its place in the log's order of landings meanwhile. */
function pending(state: ModelState, reply: CheckReply): ModelState {
  return withState(state, { checkReplies: [...(state.checkReplies ?? []), reply], landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'checking', check: reply.order }] });
}

/**
 * The reply of a new connection's passing check came: the head of the queue gets the connection
 * (the runner learns its id from the call), or, with nobody waiting, it joins the idle ones, its
 * id learnt from the log as a connection that landed for nobody.
 */
export function replyCame(before: ModelState, reply: CheckReply): ModelState {
  const rest = (before.checkReplies ?? []).filter((r) => r !== reply);
  const state = rest.length > 0 ? withState(before, { checkReplies: rest }) : withoutReplies(before);
  const [waiter, ...waiting] = state.waiters;
  if (waiter !== undefined && state.phase === 'open') {
    return answer(servedNew(withState(state, { waiters: waiting, landedUnasked: placeholderSettled(state, reply.order, null) }), reply.startedAt), { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  }
  // Until the connector's log tells its id, the connection counts as the connect it was.
  const counted = withState(state, { failedConnects: [...state.failedConnects, { startedAt: reply.startedAt, due: reply.due, at: state.now, stays: true, ...(reply.seq === undefined ? {} : { seq: reply.seq }) }] });
  // The check's pass puts it on the available list as the reply comes (`_addPooledResourceToAvailableObjects`):
  // idle from now, behind what landed idle meanwhile, though the log named it as it landed.
  return withState(counted, { landedUnasked: placeholderSettled(state, reply.order, { at: state.now, fate: 'idle', seq: state.nextIdleSeq }), nextIdleSeq: state.nextIdleSeq + 1 });
}

function withoutReplies(state: ModelState): ModelState {
  return withState(state, { checkReplies: undefined });
}
