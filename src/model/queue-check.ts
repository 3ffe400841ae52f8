import { checkServesOf, minOf } from './semantics.js';
import { answer, connectForNobody, doom, startQueueConnects } from './answers.js';
import { refillLandedIdle, refillServesQueue } from './queue-refill.js';
import { landedAtOnce } from './retry.js';
import { capacityUsed, checksInFlight, findConn, idleConns, newWaiter, replaceConn, sizeAt, type ModelConn, type ModelState, type Validating, type Waiter } from './state.js';
import { withConn, withState } from './copy.js';
import { UNNAMED, unnamedCheckAnswered } from './fresh-check.js';
import { expiredBefore } from './waiters.js';
import { windowOf } from './windows.js';
import { repliesAfterWake } from './check-reply.js';
import { landedIdleFirst, landedIntoCheck, landingsReaped } from './queue-landed.js';
import { checkFails } from './unnoticed.js';

/*
 * A check that serves the queue head (`validation.serves: 'queue-head'`) that takes time: the
 * pool moves a connection into its check because the queue is waiting, and the check belongs to
 * no acquire. generic-pool with `testOnBorrow` (node_modules/generic-pool/lib/Pool.js):
 *
 * - Every acquire joins the queue and looks at it (`acquire()`, Pool.js:463-468, `_dispense`,
 *   Pool.js:216-267). A look moves idle connections into check while the queue outnumbers the
 *   checks in flight (`waiting - _testOnBorrowResources.size`), and opens connections for the
 *   queue's shortfall, counting idle connections, checks in flight and connects in flight
 *   (`_potentiallyAllocableResourceCount`, Pool.js:664-671). So an acquire behind a slow check
 *   waits for it, whatever is idle or could be opened.
 * - A check that passes goes to whoever heads the queue as it answers (`dequeue`); with nobody
 *   waiting (every acquire behind it timed out) it goes back to idle, and the pool does not look
 *   at its queue again (`_dispatchPooledResourceToNextWaitingClient`, Pool.js:271-289).
 * - A check that fails closes its connection, refills the min (`_destroy` → `_ensureMinimum`)
 *   and looks at the queue (Pool.js:181-185).
 * - A release, a discard, a connect that lands or fails each look at the queue; a timeout or an
 *   expiry does not. So an idle connection may sit beside a waiter while a check is in flight:
 *   the check is the waiter's.
 *
 * The model looks at the queue this way while a check is in flight or about to be slow, or an
 * idle connection sits beside a waiter; otherwise a look is `startQueueConnects`, which gives the
 * same answers when every check answers within the step.
 */

/** Whether checks serve the queue head (`validation.serves: 'queue-head'`). */
export function checksServeQueue(state: ModelState): boolean {
  return checkServesOf(state.semantics) === 'queue-head';
}

/** Whether a look at the queue needs this file's rules: a check in flight or about to be slow, or an idle connection beside a waiter. */
export function queueChecksInPlay(state: ModelState): boolean {
  if (!checksServeQueue(state)) return false;
  return state.queryDelay > 0 || state.validating.length > 0 || (state.waiters.length > 0 && idleConns(state).length > 0);
}

/**
 * The pool looks at its queue (generic-pool's `_dispense`): idle connections go into check, in
 * reuse order, while the queue outnumbers the checks in flight; then connects start for the
 * queue's shortfall.
 */
export function dispenseQueue(before: ModelState, picks: Picks = { list: [], next: 0 }, refill = false, gone: ReadonlySet<unknown> = NONE): ModelState {
  // The idle connections whose expiry came before the check that sets off this look were closed
  // by then: a reaper's run closed them, and the queue's shortfall does not count them either.
  let state = before.semantics.expiry.kind === 'reaper' && gone.size > 0 ? reapedBefore(before, idleConns(before).filter((c) => gone.has(c.id))) : before;
  // Each check moves one idle (or landed) connection, and a quick one that fails looks again itself: bounded by them.
  // A new connection's check awaiting its reply after a wake is in check too (`_testOnBorrowResources`).
  for (let moved = 0; moved <= state.conns.length + state.landedUnasked.length && state.phase === 'open' && state.waiters.length > checksInFlight(state); moved++) {
    const { next, reaped } = firstIdle(state, picks, gone);
    state = reapedBefore(state, reaped);
    const landed = landedIdleFirst(state);
    // The landed connections a reaper's run closed, up to what the look takes. The run's refill
    // may have landed more, which a later run closed in turn: the look looks again.
    const reapedLandings = next === undefined ? landed.reaped : landed.reaped.filter((l) => ranksBefore(state, l.seq as number, next.idleSeq));
    if (reapedLandings.length > 0) {
      if (next !== undefined) picks.next--;
      state = landingsReaped(state, reapedLandings);
      continue;
    }
    const landing = landed.landing;
    if (landing !== undefined && (next === undefined || ranksBefore(state, landing.seq as number, next.idleSeq))) {
      // The log names it later; its check takes the place of one it shows.
      if (next !== undefined) picks.next--;
      picks.next++;
      const taken = landedIntoCheck(state, landing);
      state = taken.failed ? dispenseQueue(taken.state, picks, true, gone) : taken.state;
      continue;
    }
    if (next === undefined) break;
    state = startQueueCheck(state, next, picks);
  }
  // A failed check's refill (`_ensureMinimum`, in `_destroy`) began its connects before this look,
  // but they land later than the checks the look began answer: they serve what is left of the queue.
  return startQueueConnects(refill ? refillServesQueue(state) : state);
}

/** The connections the pool checked in this step, in order, as the connector logged them, and how many were taken. */
export interface Picks {
  readonly list: readonly number[];
  next: number;
}

/**
 * The idle connection a look takes first, in reuse order. Among connections that became idle
 * together (opened with the pool), which one the pool takes is learnt from the connector's log.
 * `reaped`: the ones before it in reuse order that a reaper's run closed before the look.
 */
function firstIdle(state: ModelState, picks: Picks, gone: ReadonlySet<unknown>): { next: ModelConn | undefined; reaped: ModelConn[] } {
  const lifo = state.semantics.reuse === 'lifo';
  let free = idleConns(state).filter((c) => !promised(state, c.id) && !gone.has(c.id));
  const reaped: ModelConn[] = [];
  for (;;) {
    if (free.length === 0) return { next: undefined, reaped };
    const best = lifo ? Math.max(...free.map((c) => c.idleSeq)) : Math.min(...free.map((c) => c.idleSeq));
    const group = free.filter((c) => c.idleSeq === best);
    const learnt = group.find((c) => c.id === picks.list[picks.next]);
    const next = learnt ?? group.find((c) => !reapedInStep(state, c));
    if (next !== undefined) {
      picks.next++;
      return { next, reaped };
    }
    reaped.push(...group);
    free = free.filter((c) => c.idleSeq !== best);
  }
}

/**
 * The connections a reaper's run closed before this look, as the look shows: doomed, between
 * their expiry window's opening and now. The look and the queue's shortfall no longer count them;
 * the log's destroy, within that window, settles them as expiries.
 */
function reapedBefore(state: ModelState, reaped: readonly ModelConn[]): ModelState {
  let next = state;
  for (const conn of reaped) {
    // The log says when the run closed it, where the step's log is read; else only a bound.
    const at = next.checkedInStep?.closed?.find((c) => c.id === conn.id)?.at;
    const from = windowOf(next, conn)?.from ?? next.now;
    next = replaceConn(next, withConn(conn, { doomed: at === undefined || at > next.now ? { at: next.now, cause: 'reaped', from } : { at, cause: 'reaped' } }));
    if (at !== undefined && at <= next.now) next = runRefill(next, at);
  }
  return next;
}

/**
 * A reaper's run that closed a connection at `at` refilled the min then (generic-pool's
 * `_destroy` → `_ensureMinimum`): its first connect took a pending connect delay, and lands when
 * that is over; the others landed then, idle, every waiter being covered by the check in flight
 * (the look takes them in reuse order), or as the delay was over. One refused at once takes that
 * fault and is not tried again.
 */
export function runRefill(before: ModelState, at: number): ModelState {
  const min = minOf(before.semantics);
  if (!min.refill.includes('after-expiry') || min.floor === 'idle' || before.phase !== 'open') return before;
  let state = before;
  // As the run left it: without what it closed (a landed one it closed counts no more), with the
  // rest still open then.
  let reaped = 0;
  for (const c of state.conns) if (c.state !== 'gone' && c.doomed?.cause === 'reaped') reaped++;
  const short = Math.min(state.config.minSize - (sizeAt(state, state.now) - reaped + failingAt(state, at)), state.config.maxSize - capacityUsed(state));
  for (let i = 0; i < short; i++) {
    // A slow one still in flight lands (or fails) later, as any connect.
    if (state.connectDelay > 0 && at + state.connectDelay >= state.now) {
      state = connectForNobody(state, at, true);
      continue;
    }
    // A connect that failed (at once, or when its delay was over) took the faults and is gone:
    // the run does not try again.
    if (state.failNext) {
      // Counted while in flight, as `_count` counts it for the run's next close (see `failingAt`).
      const failedAt = at + state.connectDelay;
      state = withState(state, { failNext: false, connectDelay: 0, failedConnects: [...state.failedConnects, { startedAt: at, due: failedAt, at: failedAt, refill: true }] });
      continue;
    }
    // Counted as the connect it was until the log names it; ranked for reuse as it landed.
    const landedAt = at + state.connectDelay;
    // Below the landings later than it, which took their rank first.
    let later = Infinity;
    for (const l of state.landedUnasked) if (l.fate === 'idle' && l.seq !== undefined && l.at > landedAt) later = Math.min(later, l.seq);
    state = refillLandedIdle(withState(state, { connectDelay: 0 }), at, landedAt, later === Infinity ? state.nextIdleSeq : later - 0.5);
  }
  return state;
}

/**
 * A run's refill connects that failed after `at` or at it (a refusal is seen in a later
 * microtask): still in flight as the run closed its next connection, whose `_ensureMinimum`
 * counts them (`_count` counts `_factoryCreateOperations`, Pool.js:345-354, 680-682), so the
 * run opens no more for them. Not tried again either: a refill's failed connect is not made up.
 */
function failingAt(state: ModelState, at: number): number {
  let failing = 0;
  for (const f of state.failedConnects) if (f.refill === true && f.stays !== true && f.startedAt <= at && (at < f.at || f.startedAt === at)) failing++;
  return failing;
}

/**
 * During a sleep, a reaper's run may have closed an idle connection whose window had opened, at an
 * instant the model only bounds (it learns the run's closes from the log after the step): the
 * connector's log says whether the pool checked it in this step (`checkedInStep`). Where it did
 * not, the run took it before the look, and the look passes on to the next.
 */
function reapedInStep(state: ModelState, conn: ModelConn): boolean {
  const learnt = state.checkedInStep;
  if (learnt === undefined || state.semantics.expiry.kind !== 'reaper' || learnt.checked.includes(conn.id)) return false;
  const window = windowOf(state, conn);
  return window !== null && window.cause === 'expiry' && window.from <= state.now;
}

/** Whether reuse rank `a` comes before `b` (lowest first, or highest where the pool reuses the newest). */
function ranksBefore(state: ModelState, a: number, b: number): boolean {
  return state.semantics.reuse === 'lifo' ? a > b : a < b;
}

/** Already promised, in this step, to an acquire (it is lent once the runner sees the call). */
function promised(state: ModelState, id: number): boolean {
  return state.answers.some((a) => a.outcome === 'served' && a.candidates.length === 1 && a.candidates[0] === id);
}

/**
 * Idle connection `id` goes into check for the queue: the check takes the pending faults. A slow
 * one is in flight for no acquire; one that passes at once serves the head of the queue; one that
 * fails at once closes the connection, refills and looks again.
 */
function startQueueCheck(before: ModelState, conn: ModelConn, picks: Picks): ModelState {
  const fails = checkFails(before, conn.id);
  const delay = before.queryDelay;
  const state = replaceConn(withState(before, { validationFails: false, queryDelay: 0 }), withConn(conn, { state: 'validating', idleSince: null, kept: false, keptAt: null }));
  // A quick check that passes, begun in an overdue timer's callback as a blocked loop wakes, is
  // answered by its query's reply after every overdue timer (see `check-reply.ts`): in flight
  // until then, its reply queued now.
  const queued = delay === 0 && !fails && repliesAfterWake(state);
  if (delay > 0 || queued) {
    const entry: Validating = { ticket: null, forQueue: true, order: state.nextOrder, id: conn.id, readyAt: state.now + delay, fails, seq: state.nextIdleSeq, ...(queued ? { replyQueued: state.nextOrder } : {}) };
    return withState(state, { validating: [...state.validating, entry], nextOrder: state.nextOrder + 1 });
  }
  if (!fails) return servesHead(state, conn.id);
  return failedQueueCheck(doom(replaceConn(state, withConn(conn, { state: 'idle' })), conn.id, 'invalid'), picks);
}

/** A check for the queue passed: the head of the queue gets the connection. */
function servesHead(state: ModelState, id: number): ModelState {
  const [head, ...rest] = state.waiters as [Waiter, ...Waiter[]];
  return answer(withState(state, { waiters: rest }), { ticket: head.ticket, outcome: 'served', candidates: [id], via: 'reuse' });
}

/** A check for the queue failed and its connection is doomed: the refill, then a look at the queue. */
function failedQueueCheck(state: ModelState, picks?: Picks, gone?: ReadonlySet<unknown>): ModelState {
  return dispenseQueue(state, picks, true, gone);
}

const NONE: ReadonlySet<unknown> = new Set();

/**
 * A slow check for the queue answered (`afterWake`: as a blocked loop woke, after every overdue
 * timer). One that passes goes to the head of the queue, or back to idle with nobody waiting,
 * without a look at the queue; one that fails closes its connection, refills and looks.
 */
export function queueCheckLanded(state: ModelState, checked: Validating, afterWake: boolean): ModelState {
  if (checked.id === UNNAMED) {
    // A new connection whose check answered in the step it landed in: the log names it later.
    const answered = unnamedCheckAnswered(state, checked);
    return checked.fails ? failedQueueCheck(answered, undefined, expiredBefore(state, checked)) : answered;
  }
  const conn = findConn(state, checked.id) as ModelConn;
  // The log has not yet said which idle connections expired before the check's timer fired, as
  // it did for a slow check across steps: the look after a failure does not take those.
  if (checked.fails) return failedQueueCheck(doom(replaceConn(state, withConn(conn, { state: 'idle' })), checked.id, 'invalid', { due: checked.readyAt, seq: checked.seq, order: checked.order }), undefined, expiredBefore(state, checked));
  if (state.waiters.length > 0 && state.phase === 'open') return servesHead(state, checked.id);
  return replaceConn(withState(state, { nextIdleSeq: state.nextIdleSeq + 1 }), withConn(conn, { state: 'idle', idleSince: state.now, idleSeq: state.nextIdleSeq, checkedBack: { at: state.now, afterTimers: afterWake, seq: checked.seq, queue: true } }));
}

/**
 * Acquires issued together, where a check for the queue is in flight or about to be slow: each
 * joins the queue, its timer set in its call, and looks at it.
 */
export function acquiresJoinQueue(before: ModelState, count: number, picks: Picks): { state: ModelState; tickets: number[] } {
  const joined = eachJoinsQueue(before, count, (state) => dispenseQueue(state, picks));
  return { state: landedAtOnce(freshChecksAfter(joined.state, before.nextOrder)), tickets: joined.tickets };
}

/**
 * `count` acquires issued together, each joining the end of the queue with its timer set in its
 * call, and each call then looking at the queue as `look` says.
 */
export function eachJoinsQueue(before: ModelState, count: number, look: (state: ModelState) => ModelState): { state: ModelState; tickets: number[] } {
  let state = before;
  const tickets: number[] = [];
  for (let i = 0; i < count; i++) {
    const ticket = state.nextTicket;
    tickets.push(ticket);
    state = look(withState(state, { nextTicket: ticket + 1, waiters: [...state.waiters, newWaiter(state, ticket)], nextOrder: state.nextOrder + 1 }));
  }
  return { state, tickets };
}

/**
 * A connect begun in the acquires' calls lands after them, in microtasks: the check of the new
 * connection sets its query's timer after every acquire's timer, whatever order the model took
 * them in (checks begun since `since`, each renumbered, in order, after the last).
 */
function freshChecksAfter(state: ModelState, since: number): ModelState {
  const late = state.validating.filter((v) => v.fresh !== undefined && v.order >= since);
  if (late.length === 0) return state;
  const renumbered = new Map(late.map((v, i) => [v.order, state.nextOrder + i]));
  const order = (o: number): number => renumbered.get(o) ?? o;
  return withState(state, {
    validating: state.validating.map((v) => (v.fresh !== undefined && renumbered.has(v.order) ? { ...v, order: order(v.order) } : v)),
    landedUnasked: state.landedUnasked.map((l) => (l.fate === 'checking' && l.check !== undefined && renumbered.has(l.check) ? { ...l, check: order(l.check) } : l)),
    nextOrder: state.nextOrder + late.length,
  });
}

/** Connection `id` was released where a check for the queue is in play: it goes idle, and the pool looks at its queue. */
export function releasedToQueue(state: ModelState, conn: ModelConn): ModelState {
  const idle = replaceConn(withState(state, { nextIdleSeq: state.nextIdleSeq + 1 }), withConn(conn, { state: 'idle', idleSince: state.now, idleSeq: state.nextIdleSeq, kept: false, keptAt: null }));
  return landedAtOnce(dispenseQueue(idle));
}
