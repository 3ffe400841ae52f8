import { timeoutRulesOf } from './semantics.js';
import { capacityUsed, findConn, idleConns, replaceConn, type Answer, type Connecting, type ModelState, type Waiter } from './state.js';

/**
 * Acquires that wait, and the faults that change who gets what: the model's side of waiters,
 * timeouts, discarded and broken connections and failed connects. Like every transition, these
 * only say what the pool must do; the runner checks the real calls against `answers`.
 */

/**
 * `count` acquires issued together, in order: each gets an idle connection (in reuse order), a
 * new one while there is capacity, or else waits at the back of the queue. A connect that fails
 * rejects its acquire and leaves the capacity free for the next.
 */
export function acquiresIssued(before: ModelState, count: number): { state: ModelState; tickets: number[] } {
  let state = before;
  const tickets: number[] = [];
  const idle = idleConns(state).sort((a, b) => (state.semantics.reuse === 'lifo' ? b.idleSeq - a.idleSeq : a.idleSeq - b.idleSeq));
  const began = state.connecting.length;
  for (let i = 0; i < count; i++) {
    const ticket = state.nextTicket;
    tickets.push(ticket);
    state = { ...state, nextTicket: ticket + 1 };
    const reuse = idle[i];
    if (reuse !== undefined) {
      // Connections that became idle together (opened with the pool) are interchangeable.
      const candidates = idle.filter((c) => c.idleSeq === reuse.idleSeq).map((c) => c.id);
      state = answer(state, { ticket, outcome: 'served', candidates, via: 'reuse' });
    } else if (capacityUsed(state) < state.config.maxSize) {
      state = openFor(state, ticket);
    } else {
      const timeout = state.config.acquireTimeoutMs;
      const waiter: Waiter = { ticket, order: state.nextOrder, since: state.now, deadline: timeout === undefined ? null : state.now + timeout };
      state = { ...state, waiters: [...state.waiters, waiter], nextOrder: state.nextOrder + 1 };
    }
  }
  return { state: idle.length > 0 ? connectsAfterBurst(state, began) : state, tickets };
}

/**
 * A burst that found idle connections is queued whole and dispatched once the calls return, so
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
  if (before.waiters.length === 0 && before.connecting.length === 0) return before;
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
  if (c.ticket !== null) return answer(state, { ticket: c.ticket, outcome: 'served', candidates: [] });
  // Its acquire gave up, and the pool keeps the connection: the first waiter gets it, else it is idle.
  const [waiter, ...rest] = state.waiters;
  if (waiter !== undefined && state.phase === 'open') return answer({ ...state, waiters: rest }, { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  // Until the connector's log tells its id, the connection counts as the connect it was.
  const counted = { ...state, failedConnects: [...state.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: state.now }] };
  return { ...counted, landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'idle' }] };
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
  return answer(state, { ticket, outcome: 'served', candidates: [] });
}

function answer(state: ModelState, a: Answer): ModelState {
  return { ...state, answers: [...state.answers, a] };
}

function doom(state: ModelState, id: number, cause: 'discarded' | 'broken'): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return replaceConn(state, { ...conn, doomed: { at: state.now, cause } });
}
