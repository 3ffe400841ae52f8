import { capabilitiesOf, validationOf } from './semantics.js';
import { windowOf } from './windows.js';
import { capacityUsed, findConn, idleConns, replaceConn, sizeAt, type Answer, type Connecting, type DoomCause, type ModelConn, type ModelState, type Orphan, type Validating, type Waiter } from './state.js';

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
  return { state, tickets };
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
    const orphan = after === undefined ? undefined : bestOrphan(state, after);
    const lifo = state.semantics.reuse === 'lifo';
    if (orphan !== undefined && idle.every((c) => (lifo ? c.idleSeq < orphan.seq : c.idleSeq > orphan.seq))) {
      // A connection that landed idle for an aborted acquire earlier in this step: the runner
      // learns its id from the real call. No fault can be pending for its check (none is injected
      // while a check is in flight), so it passes.
      return answer({ ...state, orphans: state.orphans.filter((o) => o !== orphan) }, { ticket, outcome: 'served', candidates: [], via: 'reuse' });
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
 * when the retry is decided.
 */
function expiredBefore(state: ModelState, after: Validating): Set<number> {
  const gone = new Set<number>();
  const timer = state.semantics.expiry.kind === 'timer';
  const due = (c: ModelConn): number => (timer && c.idleSince !== null ? c.idleSince + state.config.lifetimeMs : (windowOf(state, c)?.to ?? Infinity));
  const comingDue = idleConns(state)
    .filter((c) => windowOf(state, c)?.cause === 'expiry')
    .filter((c) => due(c) < after.readyAt || (due(c) === after.readyAt && c.idleSeq < after.seq))
    .sort((a, b) => due(a) - due(b) || a.idleSeq - b.idleSeq);
  for (const conn of comingDue) {
    if (state.semantics.min === 'floor' && sizeAt(state, due(conn)) - gone.size <= state.config.minSize) continue;
    gone.add(conn.id);
  }
  return gone;
}

/** The orphan kept idle that an acquire retrying after the check `after` would take first, if any. */
function bestOrphan(state: ModelState, after: Validating): Orphan | undefined {
  const lifo = state.semantics.reuse === 'lifo';
  let best: Orphan | undefined;
  for (const o of state.orphans) {
    if (o.fate !== 'idle') continue;
    const due = o.at + state.config.lifetimeMs;
    if (state.config.lifetimeMs > 0 && state.semantics.expiry.kind === 'timer' && (due < after.readyAt || (due === after.readyAt && o.seq < after.seq))) continue;
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
  if (state.connecting.some((c) => c.ticket === ticket)) return answer({ ...state, connecting: state.connecting.map((c) => (c.ticket === ticket ? { ...c, ticket: null } : c)) }, rejected);
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

/**
 * Time has come up to `state.now`: connects in flight land or fail, and waiters whose timeout has
 * come are rejected, in the order their timers fire: due time, then the order they were set.
 */
export function timePassed(before: ModelState): ModelState {
  if (before.waiters.length === 0 && before.connecting.length === 0 && before.validating.length === 0) return before;
  const end = before.now;
  let state = before;
  for (;;) {
    const landing = first(state.connecting, (c) => (c.readyAt <= end ? c.readyAt : null));
    const late = first(state.waiters, (w) => (w.deadline !== null && w.deadline <= end ? w.deadline : null));
    const checked = first(state.validating, (v) => (v.readyAt <= end ? v.readyAt : null));
    const next = earliest([
      landing === undefined ? null : { at: landing.readyAt, order: landing.order, kind: 'landing' as const },
      late === undefined ? null : { at: late.deadline ?? end, order: late.order, kind: 'late' as const },
      checked === undefined ? null : { at: checked.readyAt, order: checked.order, kind: 'checked' as const },
    ]);
    if (next === null) return { ...state, now: end };
    // What happens then (a waiter's connect after a failure) starts at that instant; a timer
    // that came due while the loop was blocked fires when it wakes.
    const now = Math.max(next.at, state.awakeSince);
    if (next.kind === 'landing' && landing !== undefined) {
      state = connectLanded({ ...state, now, connecting: state.connecting.filter((c) => c !== landing) }, landing);
    } else if (next.kind === 'checked' && checked !== undefined) {
      state = validationLanded({ ...state, now, validating: state.validating.filter((v) => v !== checked) }, checked);
    } else if (late !== undefined) {
      state = answer({ ...state, now, waiters: state.waiters.filter((w) => w !== late) }, { ticket: late.ticket, outcome: 'rejected', reason: 'timed out' });
    }
  }
}

function earliest<T extends { readonly at: number; readonly order: number }>(entries: readonly (T | null)[]): T | null {
  let best: T | null = null;
  for (const e of entries) if (e !== null && (best === null || e.at < best.at || (e.at === best.at && e.order < best.order))) best = e;
  return best;
}

function connectLanded(state: ModelState, landing: Connecting): ModelState {
  if (landing.fails) {
    const failed = { ...state, failedConnects: [...state.failedConnects, { startedAt: landing.startedAt, due: landing.readyAt, at: state.now }] };
    return serveWaiters(landing.ticket === null ? failed : answer(failed, { ticket: landing.ticket, outcome: 'rejected', reason: 'connect failed' }));
  }
  if (landing.ticket !== null) return answer(state, { ticket: landing.ticket, outcome: 'served', candidates: [] });
  // Its acquire was aborted: the connection lands for nobody.
  const fate = capabilitiesOf(state.semantics).abort?.lateConnection ?? 'closed';
  const [waiter, ...rest] = state.waiters;
  if (fate === 'idle' && waiter !== undefined && state.phase === 'open') {
    return answer({ ...state, waiters: rest }, { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  }
  const orphaned = { ...state, orphans: [...state.orphans, { startedAt: landing.startedAt, at: state.now, fate, seq: state.nextIdleSeq }], nextIdleSeq: state.nextIdleSeq + 1 };
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

/** The entry due first (ties: set first), among those `due` gives a time for. */
function first<T extends { readonly order: number }>(entries: readonly T[], due: (t: T) => number | null): T | undefined {
  let best: T | undefined;
  let bestDue = Infinity;
  for (const entry of entries) {
    const at = due(entry);
    if (at !== null && (at < bestDue || (at === bestDue && best !== undefined && entry.order < best.order))) {
      best = entry;
      bestDue = at;
    }
  }
  return best;
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
  return state.answers.length === 0 ? state : { ...state, answers: [] };
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
    state = openFor({ ...state, waiters: rest }, first.ticket);
  }
  return state;
}

function openFor(state: ModelState, ticket: number): ModelState {
  if (state.connectDelay > 0) {
    // A slow connect keeps its acquire pending; it lands, or fails, when its time comes.
    const connecting: Connecting = { ticket, order: state.nextOrder, startedAt: state.now, readyAt: state.now + state.connectDelay, fails: state.failNext };
    return { ...state, connectDelay: 0, failNext: false, connecting: [...state.connecting, connecting], nextOrder: state.nextOrder + 1 };
  }
  if (state.failNext) return serveWaiters(answer({ ...state, failNext: false }, { ticket, outcome: 'rejected', reason: 'connect failed' }));
  return answer(state, { ticket, outcome: 'served', candidates: [] });
}

function answer(state: ModelState, a: Answer): ModelState {
  return { ...state, answers: [...state.answers, a] };
}

function doom(state: ModelState, id: number, cause: DoomCause, timer?: { due: number; seq: number }): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return replaceConn(state, { ...conn, doomed: timer === undefined ? { at: state.now, cause } : { at: state.now, cause, timer } });
}
