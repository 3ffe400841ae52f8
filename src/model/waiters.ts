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
  return { state, tickets };
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
  if (before.waiters.length === 0 && before.connecting.length === 0) return before;
  const end = before.now;
  let state = before;
  for (;;) {
    const landing = first(state.connecting, (c) => (c.readyAt <= end ? c.readyAt : null));
    const late = first(state.waiters, (w) => (w.deadline !== null && w.deadline <= end ? w.deadline : null));
    if (landing === undefined && late === undefined) return { ...state, now: end };
    const connectFirst = late === undefined || (landing !== undefined && (landing.readyAt < (late.deadline ?? 0) || (landing.readyAt === late.deadline && landing.order < late.order)));
    if (connectFirst && landing !== undefined) {
      // What happens then (a waiter's connect after a failure) starts at that instant; a timer
      // that came due while the loop was blocked fires when it wakes.
      state = { ...state, now: Math.max(landing.readyAt, state.awakeSince), connecting: state.connecting.filter((c) => c !== landing) };
      if (landing.fails) {
        state = { ...state, failedConnects: [...state.failedConnects, { startedAt: landing.startedAt, due: landing.readyAt, at: state.now }] };
        state = serveWaiters(answer(state, { ticket: landing.ticket, outcome: 'rejected', reason: 'connect failed' }));
      } else {
        state = answer(state, { ticket: landing.ticket, outcome: 'served', candidates: [] });
      }
    } else if (late !== undefined) {
      state = answer({ ...state, now: Math.max(late.deadline ?? end, state.awakeSince), waiters: state.waiters.filter((w) => w !== late) }, { ticket: late.ticket, outcome: 'rejected', reason: 'timed out' });
    }
  }
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

function doom(state: ModelState, id: number, cause: 'discarded' | 'broken'): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return replaceConn(state, { ...conn, doomed: { at: state.now, cause } });
}
