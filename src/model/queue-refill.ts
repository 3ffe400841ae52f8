import { checkServesOf, connectServesOf, minOf } from './semantics.js';
import { connectForNobody, failedForHead, inFlightTillIo } from './answers.js';
import { openedCheckFails } from './opened-check.js';
import { newConnectionServesHead } from './check-reply.js';
import { freshCheckBegan } from './fresh-check.js';
import { capacityUsed, checksInFlight, sizeAt, type ModelConn, type ModelState } from './state.js';
import { withConn, withState } from './copy.js';
import { retriesAtOnce, retryDelay } from './retry.js';

/**
 * A discard in a pool whose connects serve the queue head and that refills after a discard. The
 * refill's connects start before the pool looks at its queue (generic-pool's `_destroy` calls
 * `_ensureMinimum` before `destroy()` calls `_dispense`; sequelize-pool's `destroy()` calls
 * `_ensureMinimum` before its next-tick `_dispense`), and they are the pool's like any other: the
 * first that lands serves the head of the queue. A slow one (the next connect takes the injected
 * delay) is in flight for nobody and counts against the queue's shortfall; one that connects at
 * once lands within the step and serves the head now. The rest of the refill, beyond the queue,
 * lands idle and is learnt from the log as a refill is.
 */
export function refillServesQueue(before: ModelState, inFlight = false): ModelState {
  if (before.waiters.length === 0 || before.phase !== 'open' || before.config.minSize === 0) return before;
  if (connectServesOf(before.semantics) !== 'queue-head') return before;
  const min = minOf(before.semantics);
  // An idle floor's refill counts idle connections, which a queue never has: none of the pools
  // that serve the queue head has one, and the refill is left to the log as before.
  if (!min.refill.includes('after-discard') || min.floor === 'idle') return before;
  // The discarded connection is doomed, not yet gone: the refill counts without it.
  let doomed = 0;
  for (const c of before.conns) if (c.state !== 'gone' && c.doomed !== null) doomed++;
  let short = Math.min(before.config.minSize - (sizeAt(before, before.now) - doomed), before.config.maxSize - capacityUsed(before));
  let state = before;
  if (short > 0 && state.connectDelay > 0) {
    state = connectForNobody(state, state.now, true);
    short--;
  } else if (short > 0 && state.failNext && retriesAtOnce(state)) {
    // The refill's first create takes the fault (generic-pool's `_ensureMinimum` creates before
    // `destroy()` dispenses). Its failure is not made up for the min: only the dispense in its
    // catch creates again, for the waiters still short (Pool.js:336-339), which serving the
    // waiters after the refill does. It fails by I/O, after the step's synchronous stretch, so
    // the refill this event owes counts it in flight, as an acquire's connect failing at once.
    state = refillRefused(withState(state, { failNext: false, failedAtOnce: (state.failedAtOnce ?? 0) + 1 }));
    short--;
  } else if (short > 0 && state.failNext && retryDelay(state) === null) {
    // Not retried: the refill's first create fails and rejects the head of the queue
    // (sequelize-pool's `_ensureMinimum` → `_createResource`, whose catch shifts it, Pool.js:150-157).
    state = refillRefused(failedForHead(state));
    short--;
  }
  // Where they stay in flight until the step's I/O, every one of them is: each lands for whoever
  // heads the queue then, or idle, after the connects begun before it.
  // `inFlight`: begun in a failed check's close whose look checks a connection that fails at once
  // too, which answers before any connect lands (see `waiters.ts`).
  if (inFlight || inFlightTillIo(state)) {
    for (; short > 0; short--) state = connectForNobody(state, state.now, true);
    return state;
  }
  // Where checks serve the queue head, a check in flight is a waiter's (one awaiting its reply
  // after a wake too): a refill's connection lands idle for the rest.
  for (; short > 0 && state.waiters.length > (checkServesOf(state.semantics) === 'queue-head' ? checksInFlight(state) : 0); short--) {
    // A new connection that fails its check (`alsoChecks: ['opened']`) is closed and serves
    // nobody; the look at the queue after the refill starts what the queue is still short.
    const slow = freshCheckBegan(state, state.now, state.now);
    if (slow !== null) {
      // Its check is slow: it is in flight for the queue, and the rest of the refill goes on.
      state = slow;
      continue;
    }
    const failed = openedCheckFails(state, state.now, state.now);
    if (failed !== null) {
      state = failed;
      // Where a check serves the queue head, closing it is a `_destroy`, whose `_ensureMinimum`
      // opens another for the min (generic-pool, Pool.js:131-150, 181-185).
      if (checkServesOf(state.semantics) === 'queue-head') short++;
      continue;
    }
    state = newConnectionServesHead(state);
  }
  // The rest, beyond the queue, lands idle, learnt from the log. Where checks serve the queue
  // head, it ranks for reuse as it lands, before a check's reply that comes later in the step.
  if (checkServesOf(state.semantics) === 'queue-head' && !state.failNext && state.connectDelay === 0 && state.connectsLandByIo !== true) return landIdle(state, short);
  return state;
}

/**
 * The refill's own connect was refused at once: the discards it refills for say so, since a
 * refill decided once their close has completed (`discardRefill: 'when-closed'`) began it, and
 * counts it as its own, not as a refusal seen before it decided (see `owesRefill`).
 */
function refillRefused(state: ModelState): ModelState {
  const discardedNow = (c: ModelConn): boolean => c.state !== 'gone' && c.doomed !== null && c.doomed.at === state.now;
  if (!state.conns.some(discardedNow)) return state;
  const counted = (c: ModelConn): ModelConn => withConn(c, { doomed: { ...c.doomed!, refillRefused: (c.doomed!.refillRefused ?? 0) + 1 } });
  return withState(state, { conns: state.conns.map((c) => (discardedNow(c) ? counted(c) : c)) });
}

/** `count` of the refill's connects land at once for nobody: idle, ranked now. */
function landIdle(before: ModelState, count: number): ModelState {
  let state = before;
  for (let i = 0; i < count; i++) state = refillLandedIdle(state, state.now, state.now, state.nextIdleSeq);
  return state;
}

/**
 * A refill's connect begun at `startedAt` landed idle at `at`, for nobody, with reuse rank `seq`:
 * listed among the landings in time order, and counted as the connect it was until the log
 * names it.
 */
export function refillLandedIdle(state: ModelState, startedAt: number, at: number, seq: number): ModelState {
  const landing = { at, fate: 'idle' as const, seq, armed: state.semantics.armsOn === 'release-and-create' };
  const after = state.landedUnasked.findIndex((l) => l.at > at);
  const landedUnasked = after < 0 ? [...state.landedUnasked, landing] : [...state.landedUnasked.slice(0, after), landing, ...state.landedUnasked.slice(after)];
  return withState(state, { landedUnasked, failedConnects: [...state.failedConnects, { startedAt, due: at, at, stays: true }], nextIdleSeq: state.nextIdleSeq + 1 });
}
