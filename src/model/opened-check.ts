import { validatesAlso } from './semantics.js';
import type { Connecting, ModelState, Waiter } from './state.js';
import { withState } from './copy.js';
import { retryLater } from './retry.js';
import { checkTakesHead } from './head-check.js';

/*
 * The check of a connection just opened (`validation.alsoChecks: ['opened']`, with connects that
 * serve the queue head). tarn's `_create` pushes a new resource onto `free` and
 * `_tryAcquireOrCreate` → `_doAcquire` hands it to the head of the queue through `validate`, as
 * any free resource (Pool.js:268-346, 410-420). The model learns a new connection's id only from
 * the call that gets it, and one that fails is never lent: it is counted as the connect it was
 * until the connector's log tells its id, and must then be closed at that instant.
 */

/**
 * A connection begun at `startedAt` (due at `due`) lands now for the head of the queue. Where the
 * pool checks new connections and a validation fault is pending, the check fails: the connection
 * is closed as it lands, the head stays at the head, and the fault is spent. Returns `null` where
 * it passes (or the pool does not check it), and the head is served with it.
 *
 * The caller looks at the queue again, as the pool does once it closed the connection (tarn arms
 * a `setTimeout(0)` that calls `_tryAcquireOrCreate`, Pool.js:313-321).
 */
export function openedCheckFails(state: ModelState, startedAt: number, due: number): ModelState | null {
  // A slow check is in flight as the connection lands (see `openedCheckInFlight`).
  if (!state.validationFails || !validatesAlso(state.semantics, 'opened') || (state.queryDelay > 0 && checkTakesHead(state))) return null;
  return withState(state, {
    validationFails: false,
    // It took a place in the pool from when its connect began, which a floor counts, until closed.
    failedConnects: [...state.failedConnects, { startedAt, due, at: state.now }],
    landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'closed', invalid: true }],
  });
}

/**
 * Connect `c`, one of several landing together (see `landedAtOnce`), lands for the head of the
 * queue and fails its check. Each landing pushes its resource free before any looks at the queue,
 * and the first look hands every free one to the heads of the queue, starting their checks; a
 * check answers in microtasks after the looks of the batch (tarn's `_doAcquire`, then the
 * `.then` of `abortAbleValidation`). So the head is out of the queue while the batch's later looks
 * decide, and goes back to the head after them ({@link backAtHead}). `null` where the check passes.
 */
export function takenForFailingCheck(state: ModelState, c: Connecting): { state: ModelState; head: Waiter } | null {
  const [head, ...rest] = state.waiters;
  if (head === undefined || state.phase !== 'open') return null;
  const failed = openedCheckFails(withState(state, { connecting: state.connecting.filter((x) => x !== c) }), c.startedAt, c.readyAt);
  return failed === null ? null : { state: withState(failed, { waiters: rest }), head };
}

/**
 * The acquires whose new connection failed its check go back to the head of the queue, in order,
 * and the pool looks at its queue from a zero-delay timer (tarn's `pendingAcquires.unshift`, then
 * the `setTimeout(0)` that calls `_tryAcquireOrCreate`): after the connects landing now, which
 * serve that head first.
 */
export function backAtHead(state: ModelState, heads: readonly Waiter[]): ModelState {
  return heads.length === 0 ? state : retryLater(withState(state, { waiters: [...heads, ...state.waiters] }), 0);
}
