import { capabilitiesOf, minOf, timeoutRulesOf, validationOf } from './semantics.js';
import { floorCount } from './refill.js';
import { windowOf } from './windows.js';
import { capacityUsed, findConn, idleConns, lifetimeOf, replaceConn, type Answer, type Connecting, type DoomCause, type ModelConn, type ModelState, type Orphan, type Validating, type Waiter } from './state.js';

/**
 * Acquires that wait, and the faults that change who gets what: the model's side of waiters,
 * timeouts, discarded and broken connections and failed connects. Like every transition, these
 * only say what the pool must do; the runner checks the real calls against `answers`.
 */

/**
 * `count` acquires issued together, in order: each gets an idle connection (in reuse order), a
 * new one while there is capacity, or else waits at the back of the queue. A connect that fails
 * rejects its acquire and leaves the capacity free for the next. Where the pool validates, an
 * idle connection is checked first: one that fails is closed at once and the next tried; one
 * whose check takes time holds its acquire pending until the check lands.
 *
 * `validated` lists, in order, the connections the pool validated in this step, as the
 * connector logged them: among connections that became idle together (opened with the pool),
 * which one the pool takes is not something the model can know.
 */
export function acquiresIssued(before: ModelState, count: number, validated: readonly number[] = []): { state: ModelState; tickets: number[] } {
  let state = before;
  const tickets: number[] = [];
  const picks = { list: validated, next: 0 };
  const mode = validationOf(state.semantics);
  const idle = idleConns(state).sort((a, b) => (state.semantics.reuse === 'lifo' ? b.idleSeq - a.idleSeq : a.idleSeq - b.idleSeq));
  const reserved: { ticket: number; id: number; order: number }[] = [];
  const began = state.connecting.length;
  for (let i = 0; i < count; i++) {
    const ticket = state.nextTicket;
    tickets.push(ticket);
    state = { ...state, nextTicket: ticket + 1 };
    const reuse = idle[i];
    if (mode === 'sync') {
      // Checked inside the call: the next acquire finds what this one left.
      state = takeOrOpen(state, ticket, picks, true);
    } else if (reuse !== undefined && mode === 'async') {
      // Each acquire takes its idle connection at once; the checks run after, in that order.
      const group = idle.filter((c) => c.idleSeq === reuse.idleSeq && !reserved.some((r) => r.id === c.id)).map((c) => c.id);
      const id = pickOf(picks, group);
      const conn = findConn(state, id) as ModelConn;
      // Its check starts inside the call, so a slow one's timer is set before a later acquire's.
      state = replaceConn({ ...state, nextOrder: state.nextOrder + 1 }, { ...conn, state: 'validating', idleSince: null, kept: false, keptAt: null });
      reserved.push({ ticket, id, order: state.nextOrder - 1 });
    } else if (reuse !== undefined) {
      const candidates = idle.filter((c) => c.idleSeq === reuse.idleSeq).map((c) => c.id);
      state = answer(state, { ticket, outcome: 'served', candidates, via: 'reuse' });
    } else {
      state = takeOrOpen(state, ticket, picks, true);
    }
  }
  for (const { ticket, id, order } of reserved) state = validate(state, ticket, id, picks, order);
  return { state: idle.length > 0 && capabilitiesOf(state.semantics).burstConnects === 'after-burst' ? connectsAfterBurst(state, began) : state, tickets };
}

/**
 * Where the pool declares `burstConnects: 'after-burst'`: a burst that found idle connections is
 * queued whole and dispatched once the calls return, so
 * the connects it starts, and their own timers, begin after every acquire of the burst was
 * issued: at the same instant, the burst's acquire timers fire first.
 */
function connectsAfterBurst(state: ModelState, began: number): ModelState {
  if (state.connecting.length === began) return state;
  let order = state.nextOrder;
  // Each connect's own timer is set as it begins, just before the connector's.
  const connecting = state.connecting.map((c, i) => (i < began ? c : { ...c, abandonOrder: order, order: order++ + 0.5 }));
  return { ...state, connecting, nextOrder: order };
}

/** The learnt pick among interchangeable candidates, or the first of them. */
function pickOf(picks: Picks, candidates: readonly number[]): number {
  const learnt = picks.list[picks.next];
  picks.next++;
  return learnt !== undefined && candidates.includes(learnt) ? learnt : (candidates[0] as number);
}

/**
 * Acquire `ticket` checks connection `id`, which it took from idle: the check takes the pending
 * faults (it is the next validation and the next query). A slow check holds the acquire pending;
 * a failed one closes the connection and tries another.
 */
function validate(before: ModelState, ticket: number, id: number, picks: Picks, order?: number): ModelState {
  const fails = before.validationFails;
  let state: ModelState = { ...before, validationFails: false };
  const conn = findConn(state, id) as ModelConn;
  if (validationOf(state.semantics) === 'async' && state.queryDelay > 0) {
    // The check is a query in flight: the connection is neither idle nor lent until it lands.
    const entry: Validating = { ticket, order: order ?? state.nextOrder, id, readyAt: state.now + state.queryDelay, fails, seq: state.nextIdleSeq };
    return replaceConn({ ...state, queryDelay: 0, nextOrder: order === undefined ? state.nextOrder + 1 : state.nextOrder, validating: [...state.validating, entry] }, { ...conn, state: 'validating', idleSince: null, kept: false, keptAt: null });
  }
  if (!fails) return answer(state, { ticket, outcome: 'served', candidates: [id], via: 'reuse' });
  state = doom(replaceConn(state, { ...conn, state: 'idle' }), id, 'invalid');
  return takeOrOpen(state, ticket, picks, false);
}

interface Picks {
  readonly list: readonly number[];
  next: number;
}

/**
 * Acquire `ticket` takes the first idle connection in reuse order (validating it where the pool
 * does), else a new connection while there is capacity, else (`mayWait`) it waits.
 */
function takeOrOpen(before: ModelState, ticket: number, picks: Picks, mayWait: boolean, after?: Validating): ModelState {
  const state = before;
  if (validationOf(state.semantics) !== 'none') {
    const expired = after === undefined ? null : expiredBefore(state, after);
    const idle = idleConns(state).filter((c) => !taken(state, c.id) && expired?.has(c.id) !== true);
    const orphan = expired === null ? undefined : bestOrphan(state, expired);
    const lifo = state.semantics.reuse === 'lifo';
    if (orphan !== undefined && idle.every((c) => (lifo ? c.idleSeq < orphan.seq : c.idleSeq > orphan.seq))) {
      // A connection that landed idle for an aborted acquire earlier in this step: the runner
      // learns its id from the real call. No fault can be pending for its check (none is injected
      // while a check is in flight), so it passes.
      return answer(servedNew({ ...state, orphans: state.orphans.filter((o) => o !== orphan) }, orphan.startedAt), { ticket, outcome: 'served', candidates: [], via: 'reuse' });
    }
    if (idle.length > 0) {
      const best = state.semantics.reuse === 'lifo' ? Math.max(...idle.map((c) => c.idleSeq)) : Math.min(...idle.map((c) => c.idleSeq));
      // Connections that became idle together (opened with the pool) are interchangeable.
      const id = pickOf(picks, idle.filter((c) => c.idleSeq === best).map((c) => c.id));
      return validate(state, ticket, id, picks);
    }
  }
  if (capacityUsed(state) < state.config.maxSize) return openFor(state, ticket);
  if (!mayWait) throw new Error(`poolcheck model: acquire #${ticket} has neither an idle connection nor capacity after a failed validation`);
  const timeout = state.config.acquireTimeoutMs;
  const waiter: Waiter = { ticket, order: state.nextOrder, since: state.now, deadline: timeout === undefined ? null : state.now + timeout };
  return { ...state, waiters: [...state.waiters, waiter], nextOrder: state.nextOrder + 1 };
}

/**
 * The connections whose expiry fired before the check `after` landed: timers fire in due order,
 * and at one instant in the order they were set. A floor keeps one that comes due with no more
 * than min open, counting the ones that expired before it. The log has not said any of this yet
 * when the retry is decided. Orphans kept idle are among them: the floor counts them, and keeps
 * them, as it does any idle connection.
 */
function expiredBefore(state: ModelState, after: Validating): Set<number | Orphan> {
  const gone = new Set<number | Orphan>();
  const timer = state.semantics.expiry.kind === 'timer';
  const lifetime = lifetimeOf(state);
  const due = (c: ModelConn): number => (timer && c.idleSince !== null ? c.idleSince + (lifetime ?? Infinity) : (windowOf(state, c)?.to ?? Infinity));
  const before = (at: number, seq: number): boolean => at < after.readyAt || (at === after.readyAt && seq < after.seq);
  const comingDue: { key: number | Orphan; due: number; seq: number }[] = idleConns(state)
    .filter((c) => windowOf(state, c)?.cause === 'expiry')
    .map((c) => ({ key: c.id, due: due(c), seq: c.idleSeq }));
  // An orphan's own timer was armed as it landed; a reaper's runs are not modelled for it here.
  if (timer && lifetime !== null) for (const o of state.orphans) if (o.fate === 'idle') comingDue.push({ key: o, due: o.at + lifetime, seq: o.seq });
  const floored = minOf(state.semantics).floor !== 'none';
  for (const item of comingDue.filter((c) => before(c.due, c.seq)).sort((a, b) => a.due - b.due || a.seq - b.seq)) {
    if (floored && floorCount(state, item.due) - gone.size <= state.config.minSize) continue;
    gone.add(item.key);
  }
  return gone;
}

/** The orphan kept idle that an acquire retrying after a check would take first, unless its expiry fired before (`expired`). */
function bestOrphan(state: ModelState, expired: ReadonlySet<number | Orphan>): Orphan | undefined {
  const lifo = state.semantics.reuse === 'lifo';
  let best: Orphan | undefined;
  for (const o of state.orphans) {
    if (o.fate !== 'idle' || expired.has(o)) continue;
    if (best === undefined || (lifo ? o.seq > best.seq : o.seq < best.seq)) best = o;
  }
  return best;
}

/** Already promised, in this step, to an acquire issued before (a burst takes one each). */
function taken(state: ModelState, id: number): boolean {
  return state.answers.some((a) => a.outcome === 'served' && a.via === 'reuse' && a.candidates.length === 1 && a.candidates[0] === id);
}

/** The next validation fails. */
export function validationWillFail(state: ModelState): ModelState {
  return { ...state, validationFails: true };
}

/** The next query, an async validation among them, takes `ms` of virtual time. */
export function queryWillTake(state: ModelState, ms: number): ModelState {
  return { ...state, queryDelay: ms };
}

/**
 * Acquire `ticket` was aborted: it is rejected now. A waiter leaves the queue; a connect or a
 * validation in flight for it goes on, and lands for nobody.
 */
export function aborted(state: ModelState, ticket: number): ModelState {
  const rejected: Answer = { ticket, outcome: 'rejected', reason: 'aborted' };
  if (state.waiters.some((w) => w.ticket === ticket)) return answer({ ...state, waiters: state.waiters.filter((w) => w.ticket !== ticket) }, rejected);
  if (state.connecting.some((c) => c.ticket === ticket)) return answer({ ...state, connecting: state.connecting.map((c) => (c.ticket === ticket ? { ...c, ticket: null, aborted: true as const } : c)) }, rejected);
  if (state.validating.some((v) => v.ticket === ticket)) return answer({ ...state, validating: state.validating.map((v) => (v.ticket === ticket ? { ...v, ticket: null } : v)) }, rejected);
  throw new Error(`poolcheck model: acquire #${ticket} is not pending`);
}

/** Tickets of the acquires still pending: waiting, connecting or validating. */
export function pendingTickets(state: ModelState): number[] {
  const tickets = [...state.waiters.map((w) => w.ticket), ...state.connecting.map((c) => c.ticket), ...state.validating.map((v) => v.ticket)];
  return tickets.filter((t): t is number => t !== null).sort((a, b) => a - b);
}

/** The next connect fails. */
export function connectWillFail(state: ModelState): ModelState {
  return { ...state, failNext: true };
}

/** The next connect takes `ms` of virtual time. */
export function connectWillTake(state: ModelState, ms: number): ModelState {
  return { ...state, connectDelay: ms };
}

/** The holder discarded connection `id`: the pool closes it now, and its capacity serves a waiter. */
export function discarded(state: ModelState, id: number): ModelState {
  return serveWaiters(doom(state, id, 'discarded'));
}

/** The server ended idle connection `id`: the pool drops it now, and never hands it out. */
export function brokeIdle(state: ModelState, id: number): ModelState {
  return serveWaiters(doom(state, id, 'broken'));
}

/** A timer of the model that fires at `at`; ties go to the one set first (`order`). */
interface Due {
  readonly at: number;
  readonly order: number;
  readonly fire: (state: ModelState) => ModelState;
}

/**
 * Time has come up to `state.now`: connects in flight land or fail, waiters whose timeout has
 * come are rejected, and acquires whose timeout covers their connect give up on it, in the order
 * their timers fire: due time, then the order they were set. A timer that came due while the loop
 * was blocked fires when it wakes, and what it sets off starts then.
 */
export function timePassed(before: ModelState): ModelState {
  if (before.waiters.length === 0 && before.connecting.length === 0 && before.validating.length === 0) return before;
  const end = before.now;
  let state = before;
  // Each timer fires once and is gone, so this ends; the bound turns a model bug into an error, never a hang.
  for (let fired = 0; fired < 100_000; fired++) {
    const next = nextDue(state, end);
    if (next === null) return { ...state, now: end };
    state = next.fire({ ...state, now: Math.max(next.at, state.awakeSince) });
  }
  throw new Error(`poolcheck model: the timers due by ${end} ms kept firing; this is a bug in poolcheck's model`);
}

function nextDue(state: ModelState, end: number): Due | null {
  let best: Due | null = null;
  const consider = (due: Due): void => {
    if (due.at <= end && (best === null || due.at < best.at || (due.at === best.at && due.order < best.order))) best = due;
  };
  for (const w of state.waiters) if (w.deadline !== null) consider({ at: w.deadline, order: w.order, fire: (s) => waiterTimedOut(s, w) });
  for (const c of state.connecting) {
    // The acquire's timer was set when it was issued; the connect's own timer just as the connect
    // began, after the acquire's (order - 0.25, after a new acquire's at order - 0.5). Both fire
    // before a landing at the same instant.
    if (c.ticket !== null && c.deadline !== null) consider({ at: c.deadline, order: c.deadlineOrder, fire: (s) => connectTimedOut(s, c) });
    if (c.abandonedAt === null && c.abandonAt !== null) consider({ at: c.abandonAt, order: c.abandonOrder, fire: (s) => abandon(s, c, c.abandonAt ?? s.now) });
    consider({ at: c.readyAt, order: c.order, fire: (s) => landed(s, c) });
  }
  for (const v of state.validating) consider({ at: v.readyAt, order: v.order, fire: (s) => validationLanded({ ...s, validating: s.validating.filter((x) => x !== v) }, v) });
  return best;
}

function waiterTimedOut(state: ModelState, late: Waiter): ModelState {
  return answer({ ...state, waiters: state.waiters.filter((w) => w !== late) }, { ticket: late.ticket, outcome: 'rejected', reason: 'timed out' });
}

/** The acquire's deadline came before its connect landed: it is rejected, and the connect handled as declared. */
function connectTimedOut(state: ModelState, c: Connecting): ModelState {
  const rejected = answer(state, { ticket: c.ticket as number, outcome: 'rejected', reason: 'timed out' });
  const orphan: Connecting = { ...c, ticket: null };
  const orphaned = replaceConnecting(rejected, c, orphan);
  return timeoutRulesOf(state.semantics).lateConnect === 'closed' ? abandon(orphaned, orphan, c.deadline ?? state.now) : orphaned;
}

/** The pool gives up on a connect: its capacity is free now, and the connection is closed as it lands. */
function abandon(state: ModelState, c: Connecting, due: number): ModelState {
  const gaveUp = c.ticket === null ? state : answer(state, { ticket: c.ticket, outcome: 'rejected', reason: 'timed out' });
  return serveWaiters(replaceConnecting(gaveUp, c, { ...c, ticket: null, abandonedAt: state.now, abandonedDue: due }));
}

function landed(before: ModelState, c: Connecting): ModelState {
  const state = { ...before, connecting: before.connecting.filter((x) => x !== c) };
  if (c.abandonedAt !== null) {
    // It counted in size until it was abandoned; earlier instants of this step still see it.
    const counted = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.abandonedDue ?? c.abandonedAt, at: c.abandonedAt }] };
    return c.fails ? counted : { ...counted, landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'closed' }] };
  }
  if (c.fails) {
    const failed = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: state.now }] };
    return serveWaiters(c.ticket === null ? failed : answer(failed, { ticket: c.ticket, outcome: 'rejected', reason: 'connect failed' }));
  }
  if (c.ticket !== null) return answer(servedNew(state, c.startedAt), { ticket: c.ticket, outcome: 'served', candidates: [] });
  if (c.aborted === true) return abortedLanded(state, c);
  // Its acquire gave up, and the pool keeps the connection: the first waiter gets it, else it is idle.
  const [waiter, ...rest] = state.waiters;
  if (waiter !== undefined && state.phase === 'open') return answer(servedNew({ ...state, waiters: rest }, c.startedAt), { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  // Until the connector's log tells its id, the connection counts as the connect it was.
  const counted = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: state.now }] };
  return { ...counted, landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'idle' }] };
}

/** A connect whose acquire was aborted landed: it goes as `abort.lateConnection` declares. */
function abortedLanded(state: ModelState, landing: Connecting): ModelState {
  const fate = capabilitiesOf(state.semantics).abort?.lateConnection ?? 'closed';
  const [waiter, ...rest] = state.waiters;
  if (fate === 'idle' && waiter !== undefined && state.phase === 'open') {
    return answer(servedNew({ ...state, waiters: rest }, landing.startedAt), { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  }
  const orphaned = { ...state, orphans: [...state.orphans, { startedAt: landing.startedAt, at: state.now, due: landing.readyAt, fate, seq: state.nextIdleSeq }], nextIdleSeq: state.nextIdleSeq + 1 };
  // Closed at once, it frees its capacity for the first waiter.
  return fate === 'closed' ? serveWaiters(orphaned) : orphaned;
}

function validationLanded(state: ModelState, checked: Validating): ModelState {
  const conn = findConn(state, checked.id) as ModelConn;
  if (checked.fails) {
    const doomed = doom(replaceConn(state, { ...conn, state: 'idle' }), checked.id, 'invalid', { due: checked.readyAt, seq: checked.seq });
    // Another is tried for its acquire; with none, the capacity goes to the first waiter.
    return checked.ticket === null ? serveWaiters(doomed) : takeOrOpen(doomed, checked.ticket, { list: [], next: 0 }, false, checked);
  }
  if (checked.ticket !== null) return answer(state, { ticket: checked.ticket, outcome: 'served', candidates: [checked.id], via: 'reuse' });
  // Its acquire was aborted: the connection goes to the first waiter, or back to idle.
  const [waiter, ...rest] = state.waiters;
  if (waiter !== undefined && state.phase === 'open') {
    return answer({ ...state, waiters: rest }, { ticket: waiter.ticket, outcome: 'served', candidates: [checked.id], via: 'handoff' });
  }
  return replaceConn({ ...state, nextIdleSeq: state.nextIdleSeq + 1 }, { ...conn, state: 'idle', idleSince: state.now, idleSeq: state.nextIdleSeq });
}

function replaceConnecting(state: ModelState, old: Connecting, next: Connecting): ModelState {
  return { ...state, connecting: state.connecting.map((c) => (c === old ? next : c)) };
}

/** Close and terminate reject every waiter. */
export function rejectWaiters(state: ModelState): ModelState {
  if (state.waiters.length === 0) return state;
  return {
    ...state,
    waiters: [],
    answers: [...state.answers, ...state.waiters.map((w): Answer => ({ ticket: w.ticket, outcome: 'rejected', reason: 'closed' }))],
  };
}

/** The runner has checked these answers against the real calls. */
export function answersTaken(state: ModelState): ModelState {
  return state.answers.length === 0 && state.servedNew.length === 0 ? state : { ...state, answers: [], servedNew: [] };
}

/** The step is over: what only this step needed is forgotten. */
export function stepEnded(state: ModelState): ModelState {
  return state.failedConnects.length === 0 ? state : { ...state, failedConnects: [] };
}

/** Capacity freed up: the first waiters get new connections, as many as fit. */
function serveWaiters(before: ModelState): ModelState {
  let state = before;
  while (state.phase === 'open' && state.waiters.length > 0 && capacityUsed(state) < state.config.maxSize) {
    const [first, ...rest] = state.waiters as [Waiter, ...Waiter[]];
    state = openFor({ ...state, waiters: rest }, first.ticket, first.since, first.order);
  }
  return state;
}

/**
 * Opens a connection for acquire `ticket`, issued at `since` (its timeout timer, if any, set in
 * `timerOrder`; a new acquire's is set just before its connect begins).
 */
function openFor(state: ModelState, ticket: number, since: number = state.now, timerOrder: number = state.nextOrder - 0.5): ModelState {
  if (state.connectDelay > 0) {
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
    };
    return { ...state, connectDelay: 0, failNext: false, connecting: [...state.connecting, connecting], nextOrder: state.nextOrder + 1 };
  }
  if (state.failNext) return serveWaiters(answer({ ...state, failNext: false }, { ticket, outcome: 'rejected', reason: 'connect failed' }));
  return answer(servedNew(state, state.now), { ticket, outcome: 'served', candidates: [] });
}

/** An acquire is served with a connection the runner learns from the real call, counted in size since `startedAt`. */
function servedNew(state: ModelState, startedAt: number): ModelState {
  return { ...state, servedNew: [...state.servedNew, { startedAt }] };
}

function answer(state: ModelState, a: Answer): ModelState {
  return { ...state, answers: [...state.answers, a] };
}

function doom(state: ModelState, id: number, cause: DoomCause, timer?: { due: number; seq: number }): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return replaceConn(state, { ...conn, doomed: timer === undefined ? { at: state.now, cause } : { at: state.now, cause, timer } });
}
