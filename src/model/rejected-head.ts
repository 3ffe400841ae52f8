import { failedConnectOf, validatesAlso } from './semantics.js';
import { idleConns, type Connecting, type ModelState } from './state.js';
import { withState } from './copy.js';
import { answer, startQueueConnects } from './answers.js';
import { landedAtOnce, retryLater } from './retry.js';
import { landed } from './timers.js';
import { headsMayTakeIdle, headsTakeIdle } from './head-look.js';
import { eachJoinsQueue } from './queue-check.js';

/*
 * A failed connect that rejects the head of the queue and is still retried later
 * (`failedConnect: { retry: { afterMs }, rejectsHead: true }`: tarn's `propagateCreateError`).
 * `_doCreate`'s catch calls `pendingAcquires[0].reject(err)` (Pool.js:376-384); the acquire leaves
 * `pendingAcquires` only some microtasks later, through its promise's catch (Pool.js:119-128). A
 * connection that lands inside those microtasks is handed to that rejected head first.
 */

/** A failed connect rejects whoever heads the queue, and is retried later (`rejectsHead`). */
export function rejectsHeadOnFailure(state: ModelState): boolean {
  const rule = failedConnectOf(state.semantics);
  return rule.kind === 'retried' && rule.rejectsHead;
}

/**
 * Where a failed connect rejects the head of the queue (`rejectsHead`), whoever heads it now is
 * rejected, with the connect's error. The rejection frees no slot (the failed connect freed its
 * own) and sets off no look: the acquires behind wait for the retry's timer.
 */
export function headRejected(state: ModelState): ModelState {
  const [head, ...rest] = state.waiters;
  // A closing pool rejects nobody here (tarn's catch returns once `destroyed`, Pool.js:373-375).
  if (!rejectsHeadOnFailure(state) || head === undefined || state.phase !== 'open') return state;
  return answer(withState(state, { waiters: rest }), { ticket: head.ticket, outcome: 'rejected', reason: 'connect failed', tookSlot: true });
}

/**
 * Connect `c`, begun by the looks of a stretch whose failed connect rejected the head of the
 * queue, lands while that head is still in `pendingAcquires`: the look pairs it with the rejected
 * head (`_doAcquire`, Pool.js:270-276), so it serves nobody. Its check, if the pool checks new
 * connections, is aborted by that rejection, and the connection closed, the pool looking again
 * from a zero-delay timer (Pool.js:288-321); without one (tarn's `() => true` answers first), it
 * goes back free, and nothing looks at the queue: the next waiter waits for the retry's timer.
 */
export function staleHeadTakes(state: ModelState, c: Connecting): ModelState {
  const rest = withState(state, { connecting: state.connecting.filter((x) => x !== c) });
  if (validatesAlso(state.semantics, 'opened')) {
    const closed = withState(rest, {
      // It took a place in the pool from when its connect began, which a floor counts, until closed.
      failedConnects: [...rest.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: state.now }],
      landedUnasked: [...rest.landedUnasked, { at: state.now, fate: 'closed', cause: 'check-aborted' }],
    });
    return retryLater(closed, 0);
  }
  // It lands as for nobody: idle.
  return withState(landed(withState(state, { waiters: [] }), c), { waiters: state.waiters });
}

/**
 * Acquires issued while a connection taken by a rejected head went back idle with acquires still
 * waiting: each joins the end of the queue and looks (`acquire()` → `_tryAcquireOrCreate`,
 * Pool.js:112-131, 254-263). A look that finds a free connection hands it to the head of the
 * queue and starts no connect; only one that finds none starts a connect for the queue. `null`
 * where no acquire waits beside an idle connection.
 */
export function acquiresBehindStaleHead(before: ModelState, count: number): { state: ModelState; tickets: number[] } | null {
  if (!rejectsHeadOnFailure(before) || before.waiters.length === 0 || idleConns(before).length === 0) return null;
  const joined = eachJoinsQueue(before, count, (state) => (headsMayTakeIdle(state) ? headsTakeIdle(state) : null) ?? startQueueConnects(state));
  return { state: landedAtOnce(joined.state), tickets: joined.tickets };
}

/**
 * A look at the queue hands every free connection to the heads of the queue (`_doAcquire`,
 * Pool.js:268-276): where a connection a rejected head took went back idle with acquires
 * waiting, the look that serves the head with a landing or a released connection hands that idle
 * one on to the next.
 */
export function idleToHeads(state: ModelState): ModelState {
  if (!rejectsHeadOnFailure(state) || !headsMayTakeIdle(state)) return state;
  return headsTakeIdle(state) ?? state;
}
