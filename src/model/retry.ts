import { failedConnectOf } from './semantics.js';
import type { RetryTimer, ModelState, Waiter } from './state.js';
import { backAtHead, takenForFailingCheck } from './opened-check.js';
import { withState } from './copy.js';
import { landed, timePassed } from './timers.js';
import { startQueueConnects } from './answers.js';
import { headsMayTakeIdle, headsTakeIdle } from './head-look.js';

/*
 * A failed connect the pool retries for its acquire (`failedConnect: { retry }`): the acquire
 * never sees the error. The failed connect frees its slot; the retry is a connect begun as the
 * failure is seen (`'at-once'`), or a look at the queue when a timer the failure armed fires
 * (`{ afterMs }`, for pools whose connects serve the queue head).
 */

/** Whether the pool retries a failed connect at once, for the acquire that was waiting on it. */
export function retriesAtOnce(state: ModelState): boolean {
  const rule = failedConnectOf(state.semantics);
  return rule.kind === 'retried' && rule.afterMs === 0;
}

/** The delay before the pool retries a failed connect: 0 at once; `null` where it does not retry. */
export function retryDelay(state: ModelState): number | null {
  const rule = failedConnectOf(state.semantics);
  return rule.kind === 'retried' ? rule.afterMs : null;
}

/** A connect failed: its retry's timer is armed now, due `afterMs` later. */
export function retryLater(state: ModelState, afterMs: number): ModelState {
  const timer: RetryTimer = { at: state.now + afterMs, order: state.nextOrder };
  return withState(state, { retryTimers: [...(state.retryTimers ?? []), timer], nextOrder: state.nextOrder + 1 });
}

/** The retry's timer fired: it is gone (the look it sets off is the caller's). */
export function retryFired(state: ModelState, fired: RetryTimer): ModelState {
  const rest = (state.retryTimers ?? []).filter((r) => r !== fired);
  return withState(state, { retryTimers: rest.length > 0 ? rest : undefined });
}

/**
 * How many waiters a look at the queue counts as covered besides the connects in flight: with
 * `perLook: 'shortfall'`, each retry still to come covers one; with `'one'` the look starts one
 * connect whatever is pending (tarn's `_tryAcquireOrCreate`), so none.
 */
export function retriesCovering(state: ModelState): number {
  const rule = failedConnectOf(state.semantics);
  return rule.kind === 'retried' && rule.perLook === 'shortfall' ? (state.retryTimers?.length ?? 0) : 0;
}

/** A look at the queue starts one connect at most (`perLook: 'one'`). */
export function looksStartOne(state: ModelState): boolean {
  const rule = failedConnectOf(state.semantics);
  return rule.kind === 'retried' && rule.perLook === 'one';
}

/**
 * Connects of this step that land or fail at once (`readyAt` now) are seen once its synchronous
 * stretch is over: until then they held their place, so a burst's later acquires started no
 * connect for them (tarn's `pendingCreates`). A failed one arms its retry.
 *
 * Where a look starts one connect (`perLook: 'one'`) and connects do not land by I/O, the ones of
 * one stretch land together: each pushes its connection free, then each looks at the queue
 * (tarn's `_doCreate` → `_tryAcquireOrCreate`, some microtasks later). The first look hands every
 * free connection to the head of the queue; each later one finds none free and starts one connect
 * while the queue is short, and those land together in turn.
 */
export function landedAtOnce(before: ModelState): ModelState {
  let state = before;
  if (!state.connecting.some((c) => c.readyAt <= state.now)) return state;
  if (!looksStartOne(state) || state.connectsLandByIo === true) return timePassed(state);
  // Each round's looks start at most one connect per landing, at most maxSize in all: this ends.
  for (let round = 0; round <= state.config.maxSize + 1; round++) {
    const now = state.now;
    const batch = state.connecting.filter((c) => c.readyAt <= now && c.startedAt === now && c.ticket === null && c.abandonedAt === null && c.aborted !== true);
    if (batch.length === 0) break;
    let servedAll = true;
    let landedOk = 0;
    const checking: Waiter[] = [];
    for (const c of batch) {
      const failing = c.fails ? null : takenForFailingCheck(state, c);
      if (failing !== null) {
        // Its connection failed the check of a new one: its acquire is out of the queue until the batch's looks are over.
        state = failing.state;
        checking.push(failing.head);
        landedOk++;
        continue;
      }
      const waiting = state.waiters.length;
      state = landed(state, c);
      if (c.fails) continue;
      landedOk++;
      if (state.waiters.length === waiting) servedAll = false;
    }
    // The first look took every free connection for the queue (or left some free, for nobody):
    // the later ones find none free only if all were taken.
    if (servedAll) for (let look = 1; look < landedOk; look++) state = startQueueConnects(state);
    state = backAtHead(state, checking);
  }
  return timePassed(state);
}

/**
 * A retry's timer fired: the pool looks at its queue once. A connect it starts at once lands (or
 * fails) within the microtasks after the timer's callback, before any other timer due then,
 * unless connects land by I/O (a real server), after every timer of the instant.
 */
export function retryLook(before: ModelState, fired: RetryTimer): ModelState {
  // With idle connections, the look hands them to the heads of the queue through their checks,
  // and starts no connect (tarn's `_tryAcquireOrCreate`: `_doAcquire`, else `_doCreate`).
  const took = headsMayTakeIdle(before) ? headsTakeIdle(retryFired(before, fired)) : null;
  if (took !== null) return took;
  let state = startQueueConnects(retryFired(before, fired));
  if (state.connectsLandByIo === true) return state;
  const began = state.connecting.filter((c) => !before.connecting.includes(c) && c.readyAt <= state.now);
  for (const c of began) state = landed(state, c);
  return state;
}

/**
 * When a connect begun at `at` is given up if still in flight (`failedConnect.connectTimeoutMs`,
 * tarn's `createTimeoutMillis`), or `null` where the pool waits for it however long.
 */
export function connectGivenUpAt(state: ModelState, at: number): number | null {
  const rule = failedConnectOf(state.semantics);
  return rule.kind === 'retried' && rule.connectTimeoutMs !== null ? at + rule.connectTimeoutMs : null;
}
