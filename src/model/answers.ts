import { timeoutRulesOf } from './semantics.js';
import { capacityUsed, findConn, replaceConn, type Answer, type Connecting, type DoomCause, type ModelState, type Waiter } from './state.js';

/**
 * What the model owes the runner: the answers to acquires (served, with which connection, or
 * rejected, and why), new connections handed out, connections doomed to close, and the waiters
 * served as capacity frees up.
 */

/** Close and terminate reject every waiter. */
export function rejectWaiters(state: ModelState): ModelState {
  if (state.waiters.length === 0) return state;
  return {
    ...state,
    waiters: [],
    answers: [...state.answers, ...state.waiters.map((w): Answer => ({ ticket: w.ticket, outcome: 'rejected', reason: 'closed' }))],
  };
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
  return state.answers.length === 0 && state.servedNew.length === 0 ? state : { ...state, answers: [], servedNew: [] };
}

/** The step is over: what only this step needed is forgotten. */
export function stepEnded(state: ModelState): ModelState {
  return state.failedConnects.length === 0 ? state : { ...state, failedConnects: [] };
}

/** Capacity freed up: the first waiters get new connections, as many as fit. */
export function serveWaiters(before: ModelState): ModelState {
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
export function openFor(state: ModelState, ticket: number, since: number = state.now, timerOrder: number = state.nextOrder - 0.5): ModelState {
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
export function servedNew(state: ModelState, startedAt: number): ModelState {
  return { ...state, servedNew: [...state.servedNew, { startedAt }] };
}

export function answer(state: ModelState, a: Answer): ModelState {
  return { ...state, answers: [...state.answers, a] };
}

export function doom(state: ModelState, id: number, cause: DoomCause, timer?: { due: number; seq: number }): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return replaceConn(state, { ...conn, doomed: timer === undefined ? { at: state.now, cause } : { at: state.now, cause, timer } });
}
