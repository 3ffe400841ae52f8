import { capabilitiesOf, checkServesOf, connectServesOf, timeoutPollMs, timeoutRulesOf, validatesAlso } from './semantics.js';
import { refillServesQueue } from './queue-refill.js';
import { answer, doom, openFor, servedNew, serveWaiters, startQueueConnects } from './answers.js';
import { handedOver, takeOrOpen } from './waiters.js';
import { checksInFlight, findConn, reaperEvent, replaceConn, type Connecting, type CoveredBy, type ModelConn, type ModelState, type PollWindow, type Settled, type Validating, type Waiter } from './state.js';
import { withState } from './copy.js';
import { failedRetryLater, retryDelay, retryLater, retryLook } from './retry.js';
import { idleToHeads } from './rejected-head.js';
import { openedCheckFails } from './opened-check.js';
import { checkTakesSlot, tookAsHanded } from './check-took.js';
import { tookAsTimerFired } from './acquire-took.js';
import { replyAfterWake, replyCame, repliesAfterWake } from './check-reply.js';
import { queueCheckLanded } from './queue-check.js';
import { freshCheckBegan } from './fresh-check.js';
import { checkGivenUp, checkTakesHead, headCheckLanded, idUnknown, openedCheckInFlight } from './head-check.js';

/**
 * The model's own timers, fired in order as virtual time passes: waiters' timeouts, connects
 * landing, failing or abandoned, and asynchronous validations landing.
 */

/** A timer of the model that fires at `at`; ties go to the one set first (`order`). */
interface Due {
  readonly at: number;
  readonly order: number;
  /** A landing by I/O: when the timer that began its I/O was due, which orders it among the others at `at`. */
  readonly io?: number;
  readonly fire: (state: ModelState) => ModelState;
}

/**
 * Time has come up to `state.now`: connects in flight land or fail, waiters whose timeout has
 * come are rejected, and acquires whose timeout covers their connect give up on it, in the order
 * their timers fire: due time, then the order they were set. A timer that came due while the loop
 * was blocked fires when it wakes, and what it sets off starts then. A timeout the pool polls for
 * comes when the real pool rejected the waiter (`rejections`), if that lies in its window.
 */
export function timePassed(before: ModelState, settled?: Settled): ModelState {
  if (!timersPending(before)) return before;
  // Only a pool that polls for its timeouts has rejections to read: the others list no tickets.
  if (settled === undefined || timeoutPollMs(before.semantics) === 0) return timersFired(before);
  const polledTickets = [...before.waiters.filter((w) => w.deadline !== null).map((w) => w.ticket), ...before.connecting.filter((c) => c.ticket !== null && c.deadline !== null).map((c) => c.ticket as number), ...before.validating.filter((v) => checkDeadline(before, v) !== null).map((v) => v.ticket as number)];
  const rejected = polledTickets.filter((t) => settled.get(t)?.ok === false);
  if (rejected.length === 0) return timersFired(before);
  // A waiter the pool rejected may have timed out at that poll, or been served first by a connect
  // that then failed: the model takes the reading (most polls first) that agrees with every call.
  // As a blocked loop wakes, a rejection at the wake does not say where the poll fell among the
  // overdue timers: a check's failure, or a connect's, may have come first and set off a retry, or
  // a waiter's connect, which the poll then cut short, the acquire rejected all the same. What
  // began in the step tells: the checks the log shows, and whether a connect took the pending faults.
  const at = (t: number): number => (settled as Settled).get(t)!.at;
  const readings: Read[][] = [];
  // At a wake, one poll rejected them all, due at some instant of the block: it is tried just
  // before each overdue timer's due time, as late as the calls let it come first.
  if (before.waking === true && rejected.every((t) => at(t) === before.now)) for (const read of pollPositions(before)) readings.push(rejected.map(() => read));
  for (const polled of subsetsLargestFirst(rejected)) readings.push(rejected.map((t) => (polled.includes(t) ? 'first' : 'late')));
  let agreeing: ModelState | null = null;
  for (const [i, reading] of readings.entries()) {
    const state = timersFired(before, new Map(rejected.map((t, j) => [t, { at: at(t), read: reading[j] as Read }])));
    // The last, every poll read late, stands when nothing else agrees: the runner reports the pool.
    if (i < readings.length - 1 && !agrees(before, state, settled as Settled)) continue;
    if (agreesWithLog(before, state)) return state;
    agreeing ??= state;
  }
  return agreeing ?? timersFired(before);
}

/** Whether the model has a timer of its own pending: without one, time passing changes only `now`. */
export function timersPending(state: ModelState): boolean {
  return state.waiters.length > 0 || state.connecting.length > 0 || state.validating.length > 0 || state.retryTimers !== undefined || state.checkReplies !== undefined;
}

/** Every subset of `items`, the largest first; past six items (a queue that long is rare) only all of them and none. */
function subsetsLargestFirst<T>(items: readonly T[]): T[][] {
  if (items.length > 6) return [[...items], []];
  const all: T[][] = [];
  for (let mask = (1 << items.length) - 1; mask >= 0; mask--) all.push(items.filter((_, i) => (mask & (1 << i)) !== 0));
  return all.sort((a, b) => b.length - a.length);
}

/** Where a poll overdue at a wake may fall: after every overdue timer, then just before each, the latest first. */
function pollPositions(state: ModelState): Read[] {
  const dues = new Set<number>();
  for (const c of state.connecting) if (c.readyAt <= state.now) dues.add(c.readyAt);
  for (const v of state.validating) if (v.readyAt <= state.now) dues.add(v.readyAt);
  for (const r of state.retryTimers ?? []) if (r.at <= state.now) dues.add(r.at);
  return ['after', ...[...dues].sort((a, b) => b - a).map((due): Read => ({ before: due }))];
}

/** Whether a reading began the checks the log shows begun in the step, and took the pending connect faults where a connect did. */
function agreesWithLog(before: ModelState, after: ModelState): boolean {
  const learnt = before.checkedInStep;
  if (learnt === undefined) return true;
  if ((after.checksBegun ?? 0) !== learnt.checked.length) return false;
  if (learnt.began === undefined || (!before.failNext && before.connectDelay === 0)) return true;
  return (!after.failNext && after.connectDelay === 0) === learnt.began > 0;
}

function timersFired(before: ModelState, rejections?: ReadonlyMap<number, Seen>): ModelState {
  const end = before.now;
  let state = before;
  // Each timer fires once and is gone, so this ends; the bound turns a model bug into an error, never a hang.
  for (let fired = 0; fired < 100_000; fired++) {
    const next = nextDue(state, end, rejections);
    if (next === null) return state.now === end ? state : withState(state, { now: end });
    const fired = ioBegunIn(state, failedInCallback(next.fire(withState(state, { now: Math.max(next.at, state.awakeSince) }))), next);
    state = tookAsTimerFired(state, fired, Number.isFinite(next.at) && Number.isFinite(next.order) ? { due: next.at, order: next.order } : undefined);
  }
  throw new Error(`poolcheck model: the timers due by ${end} ms kept firing; this is a bug in poolcheck's model`);
}

/**
 * Two due at one instant: the one set first fires first; two landings by I/O come in the order
 * their I/O began, as the connector runs it, by when the timer that began each was due (at a
 * wake, the overdue ones fire in due order), then by the order it was set in.
 */
function ioFirst(a: Due, b: Due): boolean {
  if (a.io !== undefined && b.io !== undefined && a.io !== b.io) return a.io < b.io;
  return a.order < b.order;
}

/**
 * Connects for an acquire that connect at once, begun in the callback of timer `by` on a server
 * (see `outlivedByDeadline` in answers.ts), began their I/O as it fired: after that of a slow
 * connect whose delay timer fired before, ahead of one whose timer fires later at this instant
 * (pg-pool's connect timer, set before the connector's delay, gives up on a connect whose delay
 * is due with it, and the connect it starts for the next waiter reaches the server first).
 * A quick check's query begun there is stamped the same way.
 */
function ioBegunIn(before: ModelState, after: ModelState, by: Due): ModelState {
  if (after.connectsLandByIo !== true || !Number.isFinite(by.order)) return after;
  const began = (c: Connecting): boolean => c.order >= before.nextOrder && c.ticket !== null && c.readyAt === c.startedAt && !c.fails && c.ioBegan === undefined;
  // So does the query of a quick check begun there, whose reply waits for the wake's timers.
  const queried = (v: Validating): boolean => v.order >= before.nextOrder && v.replyQueued !== undefined && !v.fails && v.ioBegan === undefined;
  if (!after.connecting.some(began) && !after.validating.some(queried)) return after;
  // Just after the timer, before any timer set after it (orders are whole or quarters apart).
  const ioBegan = { due: by.at, order: by.order + 0.125 };
  return withState(after, { connecting: after.connecting.map((c) => (began(c) ? { ...c, ioBegan } : c)), validating: after.validating.map((v) => (queried(v) ? { ...v, ioBegan } : v)) });
}

/** Whether the answers the model gave in this step, and the acquires it still has pending, agree with the real calls. */
function agrees(before: ModelState, after: ModelState, settled: Settled): boolean {
  const answered = new Set<number>();
  for (const a of after.answers.slice(before.answers.length)) {
    answered.add(a.ticket);
    const real = settled.get(a.ticket);
    if (real === undefined || real.ok !== (a.outcome === 'served')) return false;
  }
  for (const ticket of settled.keys()) if (!answered.has(ticket) && before.answers.every((a) => a.ticket !== ticket)) return false;
  return true;
}

/** When the real pool rejected a polled acquire, and where this reading has the poll come. */
interface Seen {
  readonly at: number;
  readonly read: Read;
}

/**
 * Where a reading has the poll that rejected an acquire come: at that instant, before anything
 * else due then (`'first'`); as late as its window lets it (`'late'`); or, at a wake, one poll for
 * every acquire it rejected, after every overdue timer (`'after'`) or just before the timers due
 * at `before`, after those due earlier.
 */
type Read = 'first' | 'late' | 'after' | { readonly before: number };

/**
 * Where the poll that rejected an acquire at `seen` falls, for a deadline at `deadline`, as the
 * reading says; read late at a blocked loop's wake whose window runs past it, after every overdue
 * timer. `null`: at its window's end (the caller's default). At a wake the poll may have been due
 * at any instant of the block, before the deadline too (it reads the clock as it runs), so the
 * model tries it between each pair of overdue timers, and lets the calls and the log tell the
 * readings apart (see {@link timePassed}).
 */
function polledAt(state: ModelState, deadline: number, everyMs: number, seen: Seen | undefined): { at: number; order: number } | null {
  if (seen === undefined || seen.at < deadline || seen.at > Math.max(deadline + everyMs, state.awakeSince)) return null;
  const wake = seen.at === state.awakeSince;
  if (seen.read === 'first') return { at: wake ? -Infinity : seen.at, order: -Infinity };
  if (seen.read === 'after') return { at: state.awakeSince, order: LATE_POLL };
  if (seen.read !== 'late') return { at: seen.read.before, order: -Infinity };
  return wake && deadline + everyMs > state.awakeSince ? { at: state.awakeSince, order: LATE_POLL } : null;
}

function nextDue(state: ModelState, end: number, rejections: ReadonlyMap<number, Seen> | undefined): Due | null {
  let best: Due | null = null;
  const consider = (due: Due): void => {
    if (due.at <= end && (best === null || due.at < best.at || (due.at === best.at && ioFirst(due, best)))) best = due;
  };
  const poll = timeoutPollMs(state.semantics);
  for (const w of state.waiters) {
    if (w.deadline === null) continue;
    if (poll === 0) consider({ at: w.deadline, order: w.order, fire: (s) => waiterTimedOut(s, w) });
    else consider(polledTimeout(state, w, w.deadline, poll, rejections?.get(w.ticket)));
  }
  for (const c of state.connecting) {
    // The acquire's timer was set when it was issued; the connect's own timer just as the connect
    // began, after the acquire's (order - 0.25, after a new acquire's at order - 0.5). Both fire
    // before a landing at the same instant.
    if (c.ticket !== null && c.deadline !== null) {
      if (poll === 0) consider({ at: c.deadline, order: c.deadlineOrder, fire: (s) => connectTimedOut(s, c) });
      else consider(polledConnectTimeout(state, c, c.deadline, poll, rejections?.get(c.ticket)));
    }
    if (c.abandonedAt === null && c.abandonAt !== null) consider({ at: c.abandonAt, order: c.abandonOrder, fire: (s) => abandon(s, c, c.abandonAt ?? s.now) });
    // A connect that completes by I/O lands in the poll phase, after every timer that fires at that
    // instant (all the overdue ones, when the loop wakes from a block); a refusal needs no I/O.
    if (state.connectsLandByIo === true && !c.fails) consider({ at: Math.max(c.readyAt, state.awakeSince), order: AFTER_TIMERS + (c.ioBegan?.order ?? c.order), io: c.ioBegan?.due ?? c.readyAt, fire: (s) => landed(s, c) });
    else consider({ at: c.readyAt, order: c.order, fire: (s) => landed(s, c) });
  }
  // A failed connect's retry looks at the queue once (tarn's `_tryAcquireOrCreate` from its timer).
  for (const r of state.retryTimers ?? []) consider({ at: r.at, order: r.order, fire: (s) => retryLook(s, r) });
  // A new connection's check that passed at a wake is answered by its reply, after every overdue timer.
  for (const r of state.checkReplies ?? []) consider({ at: state.awakeSince, order: AFTER_TIMERS + r.order, fire: (s) => replyCame(s, r) });
  for (const v of state.validating) {
    // The acquire's one deadline bounds its check too; its timer was set before the check's query
    // began, so at one instant it fires first, and before the reply of a check that passes.
    const deadline = checkDeadline(state, v);
    if (deadline !== null) {
      if (poll === 0) consider({ at: deadline, order: (v.covered as CoveredBy).order, fire: (s) => checkTimedOut(s, v) });
      else consider(polledCheckTimeout(state, v, deadline, poll, rejections?.get(v.ticket as number)));
    }
    // A check's query that fails is answered as its timer fires. One that passes is answered by
    // the server's reply, queued by that timer: when the loop runs, at once (the clock runs a
    // same-instant immediate next), or, from a real server, by I/O after every timer due at that
    // instant, as a connect lands; when a blocked loop wakes with the timer overdue, after every
    // overdue timer, whichever phase it wakes into, since the reply comes in a later phase than
    // the timers phase that fires them all.
    const overdue = !v.fails && v.readyAt <= state.awakeSince && state.now >= state.awakeSince;
    const fire = (s: ModelState): ModelState => validationLanded({ ...s, validating: s.validating.filter((x) => x !== v) }, v, overdue);
    // From a server the reply is I/O begun as the query's timer fired (or, for a quick check,
    // as the timer in whose callback it began fired), ordered among the connects landing by I/O
    // as they are: by that timer's due time, then the order it was set in.
    if (state.connectsLandByIo === true && !v.fails) consider({ at: Math.max(v.readyAt, state.awakeSince), order: AFTER_TIMERS + (v.ioBegan?.order ?? v.order), io: v.ioBegan?.due ?? v.readyAt, fire });
    // A check for the queue queues its reply as its timer fires, among the replies of connects
    // landing at the wake: they come in the order their timers fired (see `check-reply.ts`).
    else if (overdue && v.forQueue === true && v.replyQueued === undefined) consider({ at: v.readyAt, order: v.order, fire: (s) => replyQueued(s, v) });
    else if (overdue) consider({ at: state.awakeSince, order: AFTER_TIMERS + (v.replyQueued ?? v.order), fire });
    else consider({ at: v.readyAt, order: v.order, fire });
  }
  return best;
}

/** The overdue timer of check `v` for the queue fired at a wake: its reply is queued, after every overdue timer. */
function replyQueued(state: ModelState, v: Validating): ModelState {
  return withState(state, { validating: state.validating.map((x) => (x === v ? { ...v, replyQueued: state.nextOrder } : x)), nextOrder: state.nextOrder + 1 });
}

/**
 * Orders a landing by I/O after every timer at its instant, whatever order they were set in. A
 * power of two far below 2^52, so that adding an order (fractions of a quarter included) keeps
 * consecutive orders apart: past 2^52 a double has no room for the fraction, and neighbours tied.
 */
const AFTER_TIMERS = 2 ** 40;

/** Orders a poll read as late as it may come at a wake: after every overdue timer, before the replies and I/O. */
const LATE_POLL = AFTER_TIMERS - 1;

function waiterTimedOut(state: ModelState, late: Waiter, within?: PollWindow): ModelState {
  const rejected = { ticket: late.ticket, outcome: 'rejected' as const, reason: 'timed out' as const };
  return answer(withState(state, { waiters: state.waiters.filter((w) => w !== late) }), within === undefined ? rejected : { ...rejected, within });
}

/**
 * A waiter whose timeout the pool polls for: rejected at some poll from its deadline to one
 * interval after it (or when a blocked loop wakes, if later). Where the real pool rejected it at
 * an instant in that window, the model takes that instant, before anything else due then (had a
 * connection reached the waiter first, the pool would have served it); otherwise it rejects it at
 * the window's end, and the runner reports a pool that did not, or did so outside the window.
 */
function polledTimeout(state: ModelState, w: Waiter, deadline: number, everyMs: number, seen: Seen | undefined): Due {
  const within = (s: ModelState): PollWindow => ({ from: deadline, to: Math.max(deadline + everyMs, s.awakeSince), everyMs });
  // At a wake, the poll that rejected it was due at some instant of the block, which the model
  // cannot know: first, before any overdue timer reached the waiter; or last, after one handed it
  // capacity whose connect the poll then cut short (see `polledAt`).
  const at = polledAt(state, deadline, everyMs, seen);
  if (at !== null) return { ...at, fire: (s) => waiterTimedOut(s, w, within(s)) };
  return { at: deadline + everyMs, order: w.order, fire: (s) => waiterTimedOut(s, w, within(s)) };
}

/**
 * An acquire whose deadline, over its wait and its connect, the pool polls for: its connect is
 * given up at some poll in the window, as a waiter's is ({@link polledTimeout}). Where the real
 * acquire was rejected in the window, that is when; where it was not, a landing at the window's
 * last instant may have come before the poll, so the model lets it (had it not, the acquire would
 * have been rejected, and the model would have read that).
 */
function polledConnectTimeout(state: ModelState, c: Connecting, deadline: number, everyMs: number, seen: Seen | undefined): Due {
  const within = (s: ModelState): PollWindow => ({ from: deadline, to: Math.max(deadline + everyMs, s.awakeSince), everyMs });
  const at = polledAt(state, deadline, everyMs, seen);
  if (at !== null) return { ...at, fire: (s) => connectTimedOut(s, c, within(s)) };
  return { at: deadline + everyMs, order: AFTER_TIMERS * 2, fire: (s) => connectTimedOut(s, c, within(s)) };
}

/** The acquire's deadline came before its connect landed: it is rejected, and the connect handled as declared. */
function connectTimedOut(state: ModelState, c: Connecting, within?: PollWindow): ModelState {
  const reason = { ticket: c.ticket as number, outcome: 'rejected' as const, reason: 'timed out' as const };
  const rejected = answer(state, within === undefined ? reason : { ...reason, within });
  const orphan: Connecting = { ...c, ticket: null };
  const orphaned = replaceConnecting(rejected, c, orphan);
  return timeoutRulesOf(state.semantics).lateConnect === 'closed' ? abandon(orphaned, orphan, c.deadline ?? state.now) : orphaned;
}

/** When the acquire checking `v` gives up on it (`lateCheck`), or `null` where nothing bounds the check. */
function checkDeadline(state: ModelState, v: Validating): number | null {
  const timeout = state.config.acquireTimeoutMs;
  return v.ticket === null || v.covered === undefined || timeout === undefined ? null : v.covered.since + timeout;
}

/**
 * An acquire whose deadline the pool polls for, its check in flight: rejected at some poll in the
 * window, as a connect's acquire is ({@link polledConnectTimeout}); where it was served instead,
 * its check passed before the poll.
 */
function polledCheckTimeout(state: ModelState, v: Validating, deadline: number, everyMs: number, seen: Seen | undefined): Due {
  const within = (s: ModelState): PollWindow => ({ from: deadline, to: Math.max(deadline + everyMs, s.awakeSince), everyMs });
  // At a wake, the poll came before the check's timer (the acquire rejected, the check going on as
  // `lateCheck` says), or after it: a check that failed went on to the next try, which the poll met.
  const at = polledAt(state, deadline, everyMs, seen);
  if (at !== null) return { ...at, fire: (s) => checkTimedOut(s, v, within(s)) };
  // Read late at a wake, it is still a timer: overdue, it comes before any check's reply.
  if (seen !== undefined && seen.at === state.awakeSince && seen.at >= deadline) return { at: Math.min(deadline + everyMs, state.awakeSince), order: LATE_POLL, fire: (s) => checkTimedOut(s, v, within(s)) };
  return { at: deadline + everyMs, order: AFTER_TIMERS * 2, fire: (s) => checkTimedOut(s, v, within(s)) };
}

/**
 * The acquire's deadline came while its connection was under check: the acquire is rejected, and
 * the connection stays under check for nobody (`lateCheck: 'kept'`: it goes, as the check lands,
 * as an aborted acquire's does), or is closed now, its capacity free for the first waiter
 * (`'closed'`).
 */
function checkTimedOut(state: ModelState, v: Validating, within?: PollWindow): ModelState {
  const reason = { ticket: v.ticket as number, outcome: 'rejected' as const, reason: 'timed out' as const };
  const rejected = answer(state, within === undefined ? reason : { ...reason, within });
  if (timeoutRulesOf(state.semantics).lateCheck === 'kept') return withState(rejected, { validating: rejected.validating.map((x) => (x === v ? { ...v, ticket: null } : x)) });
  return checkGivenUp(withState(rejected, { validating: rejected.validating.filter((x) => x !== v) }), v, 'check-timed-out');
}

/** The pool gives up on a connect: its capacity is free now, and the connection is closed as it lands. */
function abandon(state: ModelState, c: Connecting, due: number): ModelState {
  const gaveUp = c.ticket === null ? state : answer(state, { ticket: c.ticket, outcome: 'rejected', reason: 'timed out' });
  const abandoned = replaceConnecting(gaveUp, c, { ...c, ticket: null, abandonedAt: state.now, abandonedDue: due });
  // A pool that retries failed connects after a delay treats one it gave up on as failed: the
  // retry's timer, not the abandon, looks at the queue next (tarn's `_doCreate` catch).
  const delay = retryDelay(state);
  return delay !== null && delay > 0 ? failedRetryLater(abandoned, delay) : serveWaiters(abandoned);
}

/**
 * A connect for the queue that failed at once inside a timer's callback (`headRejected`: a look
 * after a failure, say) fails in that callback's microtasks, and its look follows on the next
 * tick: before the next timer, however overdue (see `failedForHead`).
 */
function failedInCallback(before: ModelState): ModelState {
  let state = before;
  for (let c = state.connecting.find((x) => x.headRejected === true); c !== undefined; c = state.connecting.find((x) => x.headRejected === true)) state = landed(state, c);
  return state;
}

/**
 * Connect `c` landed or failed now: see {@link timePassed}. `headLater`: a failure that rejects
 * the head of the queue leaves that to the caller, which sees it after other landings.
 */
export function landed(before: ModelState, c: Connecting, headLater = false): ModelState {
  const state = withState(before, { connecting: before.connecting.filter((x) => x !== c) });
  if (c.abandonedAt !== null) {
    // It counted in size until it was abandoned; earlier instants of this step still see it.
    const counted = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.abandonedDue ?? c.abandonedAt, at: c.abandonedAt }] };
    return c.fails ? counted : { ...counted, landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'closed', seq: state.nextIdleSeq }] };
  }
  if (c.fails) {
    const failed = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: state.now, order: c.order, ...(c.refill === true ? { refill: true as const } : {}) }] };
    const delay = retryDelay(state);
    if (delay === 0 && c.ticket !== null) return retriedFor(failed, c);
    // Retried later: the retry's timer, not the failure, sets off the next look at the queue.
    if (delay !== null && delay > 0) return failedRetryLater(failed, delay, headLater);
    if (c.ticket !== null) return serveWaiters(answer(failed, { ticket: c.ticket, outcome: 'rejected', reason: 'connect failed', tookSlot: true }));
    // Retried at once for the queue, on a server whose connects land by I/O: the retry lands
    // after the timers still due now.
    if (delay === 0 && state.connectsLandByIo === true && connectServesOf(state.semantics) === 'queue-head') return startQueueConnects(failed, true);
    // A connect for the queue that fails rejects whoever heads it as the failure is seen, unless
    // it failed at once and rejected the head as it began (`headRejected`); then the pool looks again.
    const [head, ...rest] = failed.waiters;
    const rejectsHead = c.headRejected !== true && head !== undefined && delay === null && connectServesOf(state.semantics) === 'queue-head';
    return serveWaiters(rejectsHead ? answer({ ...failed, waiters: rest }, { ticket: head.ticket, outcome: 'rejected', reason: 'connect failed', tookSlot: true }) : failed);
  }
  if (c.ticket !== null && state.terminatedAt !== null) {
    // It lands on a terminated pool: its acquire is rejected now, and the connection, idle in a
    // closed pool, is to be closed at once.
    return answer({ ...state, landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'idle' }] }, { ticket: c.ticket, outcome: 'rejected', reason: 'closed' });
  }
  if (c.ticket !== null) return answer(servedNew(state, c.startedAt, true), { ticket: c.ticket, outcome: 'served', candidates: [] });
  if (c.aborted === true) return abortedLanded(state, c);
  // Its acquire gave up (or it is a refill's), and the pool keeps the connection: the first
  // waiter gets it, else it is idle.
  const [waiter, ...rest] = state.waiters;
  // Where checks serve the queue head, a waiter behind a check in flight waits for it: the
  // connection lands idle (generic-pool's `_dispense` moves no more into check, Pool.js:244-252).
  // A new connection whose check awaits its reply after a wake is in check too.
  const covered = checkServesOf(state.semantics) === 'queue-head' && state.waiters.length <= checksInFlight(state);
  if (waiter !== undefined && state.phase === 'open' && !covered) {
    // A check of the new connection that is still in flight after this instant holds it, and the head.
    const checking = openedCheckInFlight(state, c.startedAt, c.readyAt, waiter);
    if (checking !== null) return checking;
    // A pool that checks a new connection closes one that fails, and looks at its queue again
    // from a zero-delay timer (tarn's `setTimeout(0)`, Pool.js:313-321): after the timers already
    // due at this instant, an acquire's timeout among them.
    const slow = freshCheckBegan(state, c.startedAt, c.readyAt);
    if (slow !== null) return slow;
    const failed = openedCheckFails(state, c.startedAt, c.readyAt);
    // Where a check serves the queue head, the failed check's handler looks at once (generic-pool's
    // `_destroy`, then `_dispense`, Pool.js:181-185): the refill first, then the queue's shortfall.
    if (failed !== null) return checkServesOf(state.semantics) === 'queue-head' ? serveWaiters(refillServesQueue(failed)) : retryLater(failed, 0);
    if (repliesAfterWake(state)) return replyAfterWake(state, c);
    // Served now, within the step: a reaper that starts on an acquire served (tarn's `_doAcquire`)
    // starts at this instant, not when the step ends.
    const served = answer(servedNew(reaperEvent({ ...state, waiters: rest }, 'first-acquire'), c.startedAt), { ticket: waiter.ticket, outcome: 'served', candidates: [] });
    // Landing alone, its look hands any idle connection on to the next heads; in a batch, the caller's does.
    return headLater ? served : idleToHeads(served);
  }
  // Until the connector's log tells its id, the connection counts as the connect it was.
  // A refill's keeps its timer's order: a refill decided by a timer at this instant counts it in
  // flight, or landed, by which fired first.
  const refill = c.refill === true ? { order: c.order, refill: true as const } : {};
  const counted = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: state.now, stays: true as const, ...(c.seq === undefined ? {} : { seq: c.seq }), ...refill }] };
  // A refill's connection is armed as one opened for the min is; a kept late connect as if released.
  const armed = c.refill === true ? { armed: state.semantics.armsOn === 'release-and-create' } : {};
  // It joins the idle ones now, so it ranks for reuse by now, not by when the log names it (a
  // check that passes later in this step puts its connection above it).
  return { ...counted, landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'idle', seq: state.nextIdleSeq, ...armed }], nextIdleSeq: state.nextIdleSeq + 1 };
}

/**
 * A failed connect the pool retries at once for its acquire: the retry begins now, with the
 * acquire's deadline as it was, and takes whatever connect faults are pending.
 */
function retriedFor(state: ModelState, failed: Connecting): ModelState {
  const timeout = state.config.acquireTimeoutMs;
  const since = failed.deadline === null || timeout === undefined ? state.now : failed.deadline - timeout;
  return openFor(state, failed.ticket as number, since, failed.deadlineOrder);
}

/** A connect whose acquire was aborted landed: it goes as `abort.lateConnection` declares. */
function abortedLanded(state: ModelState, landing: Connecting): ModelState {
  const fate = capabilitiesOf(state.semantics).abort?.lateConnection ?? 'closed';
  const [waiter, ...rest] = state.waiters;
  if (fate === 'idle' && waiter !== undefined && state.phase === 'open') {
    return answer(servedNew({ ...state, waiters: rest }, landing.startedAt), { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  }
  const orphaned = { ...state, orphans: [...state.orphans, { startedAt: landing.startedAt, at: state.now, due: landing.readyAt, fate, seq: state.nextIdleSeq, ...(landing.seq === undefined ? {} : { began: landing.seq }) }], nextIdleSeq: state.nextIdleSeq + 1 };
  // Closed at once, it frees its capacity for the first waiter.
  return fate === 'closed' ? serveWaiters(orphaned) : orphaned;
}

/** `afterWake`: it passed as a blocked loop woke, after every overdue timer (see `nextDue`). */
function validationLanded(state: ModelState, checked: Validating, afterWake = false): ModelState {
  if (checked.forQueue === true) return queueCheckLanded(state, checked, afterWake);
  // A check that takes the head acquire; one left for nobody that passes, and whose connection the
  // model knows, goes as any other's below.
  if (checkTakesHead(state) && (checked.ticket !== null || checked.fails || idUnknown(checked))) return headCheckLanded(state, checked);
  const conn = findConn(state, checked.id) as ModelConn;
  if (checked.fails) {
    const doomed = doom(replaceConn(state, { ...conn, state: 'idle' }), checked.id, 'invalid', { due: checked.readyAt, seq: checked.seq, order: checked.order });
    // Another is tried for its acquire; with none, the capacity goes to the first waiter.
    return checked.ticket === null ? serveWaiters(doomed) : takeOrOpen(doomed, checked.ticket, { list: [], next: 0 }, false, checked);
  }
  if (checked.ticket !== null) return answer(state, { ticket: checked.ticket, outcome: 'served', candidates: [checked.id], via: 'reuse', ...(checked.took === true ? { tookSlot: true as const } : {}) });
  // Its acquire was aborted: the connection goes to the first waiter, or back to idle.
  const [waiter, ...rest] = state.waiters;
  if (waiter !== undefined && state.phase === 'open') {
    const handed = handedOver({ ...state, waiters: rest }, waiter, checked.id);
    // The waiter's acquire takes its slot as the reply is handled (a check of the hand-off, where
    // there is one, decides it as it begins).
    if (!checkTakesSlot(state) || validatesAlso(state.semantics, 'released')) return handed;
    return tookAsHanded(handed, state.answers.length, waiter.ticket, checked.id, afterWake ? undefined : { due: checked.readyAt, order: checked.order });
  }
  return replaceConn({ ...state, nextIdleSeq: state.nextIdleSeq + 1 }, { ...conn, state: 'idle', idleSince: state.now, idleSeq: state.nextIdleSeq, checkedBack: { at: state.now, afterTimers: afterWake, seq: checked.seq } });
}

function replaceConnecting(state: ModelState, old: Connecting, next: Connecting): ModelState {
  return withState(state, { connecting: state.connecting.map((c) => (c === old ? next : c)) });
}
