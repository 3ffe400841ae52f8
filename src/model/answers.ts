import { checkServesOf, connectServesOf, queueConnectsOf, timeoutRulesOf, validationOf } from './semantics.js';
import { refillServesQueue } from './queue-refill.js';
import { capacityUsed, findConn, reaperMayStop, replaceConn, type Answer, type Connecting, type DoomCause, type LeftIdle, type ModelConn, type ModelState, type Waiter } from './state.js';
import { withConn, withState } from './copy.js';
import { connectGivenUpAt, looksStartOne, retriesAtOnce, retriesCovering, retryDelay } from './retry.js';
import { acquireTookSlot } from './acquire-took.js';
import { openedCheckFails } from './opened-check.js';
import { newConnectionServesHead } from './check-reply.js';
import { dispenseQueue } from './queue-check.js';
import { freshCheckBegan } from './fresh-check.js';
import { retireGone } from './retired.js';

/**
 * What the model owes the runner: the answers to acquires (served, with which connection, or
 * rejected, and why), new connections handed out, connections doomed to close, and the waiters
 * served as capacity frees up.
 */

/** Close and terminate reject every waiter. */
export function rejectWaiters(state: ModelState): ModelState {
  if (state.waiters.length === 0) return state;
  return withState(state, {
    waiters: [],
    answers: [...state.answers, ...state.waiters.map((w): Answer => ({ ticket: w.ticket, outcome: 'rejected', reason: 'closed' }))],
  });
}

/**
 * Close rejects the acquires whose connects are in flight (`closeDuringConnect: 'rejects'`): each
 * connect goes on for nobody, and lands on a closing pool, which closes what it does not lend.
 */
export function rejectConnects(state: ModelState): ModelState {
  const cut = state.connecting.filter((c) => c.ticket !== null);
  if (cut.length === 0) return state;
  return {
    ...state,
    connecting: state.connecting.map((c) => (c.ticket === null ? c : { ...c, ticket: null })),
    answers: [...state.answers, ...cut.map((c): Answer => ({ ticket: c.ticket as number, outcome: 'rejected', reason: 'closed' }))],
  };
}

/** The runner has checked these answers against the real calls. */
export function answersTaken(state: ModelState): ModelState {
  return state.answers.length === 0 && state.servedNew.length === 0 ? state : withState(state, { answers: [], servedNew: [] });
}

/** The step is over: what only this step needed is forgotten. */
export function stepEnded(before: ModelState): ModelState {
  const state = retireGone(checksBackSettled(reaperMayStop(before)));
  if (state.failedAtOnce !== undefined) return withState(state, { failedAtOnce: undefined, failedConnects: [] });
  return state.failedConnects.length === 0 ? state : withState(state, { failedConnects: [] });
}

/**
 * When a passing check sent its connection back to idle orders it only among what fired in the
 * same step (the timers of a blocked loop's wake): the next command comes after all of them, so
 * a floor deciding then counts it idle, at whatever instant.
 */
function checksBackSettled(state: ModelState): ModelState {
  if (!state.conns.some((c) => c.checkedBack !== undefined)) return state;
  return withState(state, { conns: state.conns.map((c) => (c.checkedBack === undefined ? c : withoutCheckedBack(c))) });
}

function withoutCheckedBack(conn: ModelConn): ModelConn {
  return withConn(conn, { checkedBack: undefined });
}

/**
 * Capacity freed up: the first waiters get new connections, as many as fit. Where connects serve
 * the head of the queue, the pool starts connects for the waiters that no connect in flight covers.
 */
export function serveWaiters(before: ModelState): ModelState {
  // Where checks serve the queue head too, a look also moves idle connections into check.
  if (connectServesOf(before.semantics) === 'queue-head') return checkServesOf(before.semantics) === 'queue-head' ? dispenseQueue(before) : startQueueConnects(before);
  let state = before;
  while (state.phase === 'open' && state.waiters.length > 0 && capacityUsed(state) < state.config.maxSize) {
    const [first, ...rest] = state.waiters as [Waiter, ...Waiter[]];
    state = openFor(withState(state, { waiters: rest }), first.ticket, first.since, first.order);
  }
  return state;
}

/**
 * Opens a connection for acquire `ticket`, issued at `since` (its timeout timer, if any, set in
 * `timerOrder`; a new acquire's is set just before its connect begins).
 */
export function openFor(state: ModelState, ticket: number, since: number = state.now, timerOrder: number = state.nextOrder - 0.5, took = false): ModelState {
  if (state.connectDelay > 0 || outlivedByDeadline(state, since)) {
    // A slow connect keeps its acquire pending; it lands, or fails, when its time comes, unless
    // the acquire timeout covers the connect and comes first.
    const timeout = state.config.acquireTimeoutMs;
    const rules = timeoutRulesOf(state.semantics);
    const covered = timeout !== undefined && rules.covers === 'wait-and-connect';
    const connecting: Connecting = {
      ticket,
      order: state.nextOrder,
      startedAt: state.now,
      readyAt: state.now + state.connectDelay,
      fails: state.failNext,
      deadline: covered ? since + timeout : null,
      deadlineOrder: timerOrder,
      abandonAt: covered && rules.lateConnect === 'own-timeout' ? state.now + timeout : null,
      abandonOrder: state.nextOrder - 0.25,
      abandonedAt: null,
      abandonedDue: null,
      seq: state.nextIdleSeq,
    };
    // The acquire has its capacity now: what an acquire sets off in the pool happens as its connect
    // begins (unless it did as its check began: `took`).
    const begun = withState(state, { connectDelay: 0, failNext: false, connecting: [...state.connecting, connecting], nextOrder: state.nextOrder + 1 });
    return took ? begun : acquireTookSlot(begun);
  }
  // Retried at once, the failed connect frees its slot and the retry takes it again as the failure
  // is seen; the injected fault is spent, so the retry lands and serves the acquire.
  if (state.failNext && retriesAtOnce(state)) return answer(servedNew(withState(state, { failNext: false }), state.now), { ticket, outcome: 'served', candidates: [] });
  if (state.failNext) return serveWaiters(answer(withState(state, { failNext: false, failedAtOnce: (state.failedAtOnce ?? 0) + 1 }), { ticket, outcome: 'rejected', reason: 'connect failed' }));
  return answer(servedNew(state, state.now), { ticket, outcome: 'served', candidates: [] });
}

/**
 * Whether a connect that connects at once, begun now for an acquire issued at `since`, is still in
 * flight when that acquire's deadline fires. On a server (`connectsLandByIo`) it lands by I/O,
 * after every timer due at this instant; where the timeout covers the connect, an acquire whose
 * deadline is due now, and not yet fired, was handed its capacity by a timer of this instant (the
 * connect an overdue timer gave up on, or a failed one) and times out before its connect lands,
 * which then goes as `lateConnect` says (pg-pool's queue timer stays armed while `newClient`
 * connects for the item `_pulseQueue` took, index.js:156, 166-167, 212-225). A refusal needs no I/O.
 */
function outlivedByDeadline(state: ModelState, since: number): boolean {
  const timeout = state.config.acquireTimeoutMs;
  if (state.connectsLandByIo !== true || state.failNext || timeout === undefined) return false;
  return since + timeout <= state.now && timeoutRulesOf(state.semantics).covers === 'wait-and-connect';
}

/**
 * `connectServes: 'queue-head'`: while the queue outnumbers the connects in flight and there is
 * capacity, the pool starts a connect that belongs to no acquire (tarn's
 * `_shouldCreateMoreResources`, generic-pool's `resourceShortfall`). A slow one lands when its time
 * comes and serves whoever heads the queue then; one that connects at once lands within the step
 * and serves the head now, which need not be the acquire that started it. With `queueConnects:
 * 'one-per-dispense'` the pool starts one per look instead (sequelize-pool's `_dispense`).
 */
export function startQueueConnects(before: ModelState, landsByIo = false): ModelState {
  let state = before;
  // `queueConnects: 'one-per-dispense'`: one connect for each look at the queue, whatever is in
  // flight; `failedConnect.perLook: 'one'`: one for each look, while the queue is short.
  const perDispense = queueConnectsOf(state.semantics) === 'one-per-dispense';
  const oneLook = looksStartOne(state);
  const once = perDispense || oneLook;
  for (let started = 0; !(once && started > 0) && state.phase === 'open' && state.waiters.length > (perDispense ? 0 : state.connecting.filter((c) => c.abandonedAt === null).length + retriesCovering(state) + queueCovered(state)) && capacityUsed(state) < state.config.maxSize; started++) {
    if (state.failNext && state.connectDelay === 0 && retryDelay(state) === null) {
      // Rejects whoever heads the queue as its failure is seen (sequelize-pool's catch shifts
      // `_pendingAcquires`, Pool.js:150-157), before any connect of the stretch lands.
      state = failedForHead(state);
    } else if (state.connectDelay > 0 || oneLook || (state.failNext && (retryDelay(state) ?? 0) > 0) || inFlightTillIo(state)) {
      // The acquire's own timer, as a waiter's, covers the connect: the connect has none. One
      // that lands or fails at once is in flight until the step's synchronous stretch is over, so
      // later acquires of the step see it (see `landedAtOnce`); a failed one's retry timer sets off
      // the next look.
      state = connectForNobody(state, state.now);
    } else if (state.failNext) {
      // Retried at once: the failed connect frees its slot and the loop starts the next.
      state = withState(state, { failNext: false });
      started--;
    } else if (landsByIo) {
      // Begun as a timer fired, on a server whose connects land by I/O: it lands after every
      // timer due at this instant (a waiter's timeout among them), then serves the head.
      state = connectForNobody(state, state.now);
    } else {
      // A new connection whose check is slow is in flight for the queue; the look goes on.
      const slow = freshCheckBegan(state, state.now, state.now);
      if (slow !== null) {
        state = slow;
        continue;
      }
      // A new connection that fails its check (`alsoChecks: ['opened']`) is closed, and the
      // look goes on for the head, which it did not serve.
      const failed = openedCheckFails(state, state.now, state.now);
      if (failed !== null) {
        // Where a check serves the queue head, closing it is a `_destroy`, whose `_ensureMinimum`
        // refills the min before the look goes on (generic-pool, Pool.js:131-150, 181-185).
        state = checkServesOf(state.semantics) === 'queue-head' ? refillServesQueue(failed) : failed;
        started--;
        continue;
      }
      state = newConnectionServesHead(state);
    }
  }
  return state;
}

/**
 * What else covers the queue besides connects in flight: checks whose reply is still to come, and,
 * where checks serve the queue head, the idle connections and the checks in flight, each of which
 * goes to the head of the queue (generic-pool's `_potentiallyAllocableResourceCount`, Pool.js:664-671).
 */
function queueCovered(state: ModelState): number {
  const replies = state.checkReplies?.length ?? 0;
  if (checkServesOf(state.semantics) !== 'queue-head') return replies;
  let idle = 0;
  // One already promised in this step, to an acquire a check passed it for, covers nobody else.
  for (const c of state.conns) if (c.state === 'idle' && c.doomed === null && !promisedInStep(state, c.id)) idle++;
  return replies + idle + state.validating.length;
}

/** Whether idle connection `id` was promised in this step to an acquire (it is lent once the runner sees the call). */
function promisedInStep(state: ModelState, id: number): boolean {
  for (const a of state.answers) if (a.outcome === 'served' && a.candidates.length === 1 && a.candidates[0] === id) return true;
  return false;
}

/**
 * Where connects land by I/O (a real server) and each look at the queue starts one connect
 * (`queueConnects: 'one-per-dispense'`), a connect that connects at once is in flight until the
 * I/O after the step's synchronous stretch, its next-tick looks and the timers of its instant: the
 * acquire it is for still waits, so such a look starts one more (sequelize-pool's `_dispense`
 * after a failed create or a destroy, Pool.js:131-133, 158-160, 247-249), and the first to land
 * serves whoever heads the queue then, the next one the next waiter, or lands idle. With
 * `'shortfall'` a look counts that connect against the queue, and the model serves the head at once.
 */
export function inFlightTillIo(state: ModelState): boolean {
  return state.connectsLandByIo === true && queueConnectsOf(state.semantics) === 'one-per-dispense';
}

/** Orders a connect that failed at once before every timer of its instant. */
const SEEN_FIRST = Number.MIN_SAFE_INTEGER;

/**
 * A connect for the queue fails at once, where a failed connect rejects whoever heads the queue
 * (`failedConnect: true` with `connectServes: 'queue-head'`): the head is rejected now, and the
 * connect holds its slot, in flight, until the stretch is over; its failure then sets off a look.
 */
export function failedForHead(before: ModelState): ModelState {
  const [head, ...rest] = before.waiters;
  // It fails by I/O, after the stretch: a refill decided in it counts it in flight (see `owesRefill`).
  const state = connectForNobody(withState(before, { failedAtOnce: (before.failedAtOnce ?? 0) + 1 }), before.now);
  // Its failure is seen in the microtasks after the stretch: before any timer of the instant.
  const connecting = state.connecting.map((c, i) => (i === state.connecting.length - 1 ? { ...c, order: SEEN_FIRST, headRejected: true as const } : c));
  if (head === undefined) return withState(state, { connecting });
  return answer(withState(state, { connecting, waiters: rest }), { ticket: head.ticket, outcome: 'rejected', reason: 'connect failed', tookSlot: true });
}

/**
 * Begins, at `at`, the injected slow connect for no acquire of its own (the queue head's, or a
 * refill's): no timer of the pool bounds it, and it takes the pending connect faults.
 */
export function connectForNobody(state: ModelState, at: number, refill?: true): ModelState {
  const connecting: Connecting = {
    ticket: null,
    ...(refill === undefined ? {} : { refill }),
    seq: state.nextIdleSeq,
    order: state.nextOrder,
    startedAt: at,
    readyAt: at + state.connectDelay,
    fails: state.failNext,
    deadline: null,
    deadlineOrder: state.nextOrder,
    // A pool that gives up on a connect after a while arms that timer just before the connect begins.
    abandonAt: connectGivenUpAt(state, at),
    abandonOrder: state.nextOrder - 0.25,
    abandonedAt: null,
    abandonedDue: null,
  };
  return withState(state, { connectDelay: 0, failNext: false, connecting: [...state.connecting, connecting], nextOrder: state.nextOrder + 1 });
}

/** An acquire is served with a connection the runner learns from the real call, counted in size since `startedAt`. */
export function servedNew(state: ModelState, startedAt: number, tookSlot?: true, leftIdle?: LeftIdle): ModelState {
  const entry = tookSlot === undefined ? { startedAt } : { startedAt, tookSlot };
  return withState(state, { servedNew: [...state.servedNew, leftIdle === undefined ? entry : { ...entry, leftIdle }] });
}

export function answer(state: ModelState, a: Answer): ModelState {
  return withState(state, { answers: [...state.answers, a] });
}

export function doom(state: ModelState, id: number, cause: DoomCause, timer?: { due: number; seq: number; order?: number }): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  // A failed async check answers in microtasks after an acquire's connect that failed at once
  // before it has failed (the own pool's `ready`: the check's verdict is awaited through more
  // microtasks than a refused connect), so the refill its close calls for saw those failures.
  const seen = cause === 'invalid' && validationOf(state.semantics) === 'async' && connectServesOf(state.semantics) === 'its-acquire' ? { failedSeen: state.failedAtOnce ?? 0 } : {};
  return replaceConn(state, withConn(conn, { doomed: timer === undefined ? { at: state.now, cause, ...seen } : { at: state.now, cause, timer, ...seen } }));
}
