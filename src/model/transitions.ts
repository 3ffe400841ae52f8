import {
  findConn,
  isIdleConn,
  capacityUsed,
  reaperEvent,
  replaceConn,
  type ModelConn,
  type ModelState,
  type LearntInStep,
  type Settled,
} from './state.js';
import { acquireTookSlot } from './acquire-took.js';
import { closeDuringConnectOf, closeRejectsWaitersOf, terminateDuringConnectOf } from './semantics.js';
import { rejectConnects, rejectWaiters } from './answers.js';
import { timePassed, timersPending } from './timers.js';
import { handedOver } from './waiters.js';
import { landedAtOnce } from './retry.js';
import { withConn, withState } from './copy.js';
import { queueChecksInPlay, releasedToQueue } from './queue-check.js';

/**
 * Transitions for the commands. Each takes a state and returns the next one; none of them decides
 * which connections expired, because that is learnt from the connector's log by `reconcile`, which
 * checks every destruction against its window.
 */

/** The connections a new pool opened at creation (`minSize` of them where the pool does that). */
export function poolCreated(state: ModelState, openedIds: readonly number[]): ModelState {
  const armed = state.semantics.armsOn === 'release-and-create';
  const seq = state.nextIdleSeq;
  const opened: ModelConn[] = openedIds.map((id) => ({
    id,
    state: 'idle',
    createdAt: state.now,
    idleSince: armed ? state.now : null,
    idleSeq: seq,
    kept: false,
    keptAt: null,
    goneAt: null,
    doomed: null,
    orphan: undefined,
    checkedBack: undefined,
    leftIdle: undefined,
    broken: undefined,
  }));
  return withState(state, { conns: [...state.conns, ...opened], nextIdleSeq: seq + 1 });
}

export type AcquirePrediction =
  | { readonly kind: 'reuse'; readonly candidates: readonly number[] }
  | { readonly kind: 'create' }
  | { readonly kind: 'wait' };

/** What an acquire must do now: reuse one of the candidates, open a new connection, or wait. */
export function predictAcquire(state: ModelState): AcquirePrediction {
  // Asked by every acquire's precondition, drawn or not: two passes over the connections, no lists.
  const lifo = state.semantics.reuse === 'lifo';
  let best: number | null = null;
  for (const c of state.conns) if (isIdleConn(c) && (best === null || (lifo ? c.idleSeq > best : c.idleSeq < best))) best = c.idleSeq;
  if (best !== null) {
    const candidates: number[] = [];
    for (const c of state.conns) if (isIdleConn(c) && c.idleSeq === best) candidates.push(c.id);
    return { kind: 'reuse', candidates };
  }
  return capacityUsed(state) < state.config.maxSize ? CREATE : WAIT;
}

const CREATE: AcquirePrediction = { kind: 'create' };
const WAIT: AcquirePrediction = { kind: 'wait' };


export function describeAcquirePrediction(p: AcquirePrediction, reuse: 'lifo' | 'fifo'): string {
  switch (p.kind) {
    case 'reuse':
      return `reuse ${p.candidates.map((id) => `#${id}`).join(' or ')} (${reuse.toUpperCase()})`;
    case 'create':
      return 'open a new connection';
    case 'wait':
      return 'wait for a release';
  }
}

/**
 * The caller got connection `id`; `created` when the pool opened it for this acquire. A pool that
 * first opens its min at the first acquire, or refills at every acquire, owes the rest now.
 */
export function acquired(before: ModelState, id: number, created: boolean, took = false): ModelState {
  // An acquire served by its own slow connect set off the refill when that connect began, and one
  // whose async check took its capacity, as that check began (`took`).
  const tookSlot = took || (created && before.servedNew[0]?.tookSlot === true);
  const got = takeConn(reaperEvent(before, 'first-acquire'), id, created);
  return tookSlot ? got : acquireTookSlot(got, `the acquire of #${id}`);
}

/**
 * Acquire `ticket` was rejected because its connect failed. It had taken capacity and begun its
 * connect, so, as for one served, a pool that first opens its min at the first acquire, or
 * refills at every acquire, owes the rest now (counting that connect in flight, as the pool did);
 * unless its connect was slow (`tookSlot`), and set that off as it began.
 */
export function connectFailedFor(state: ModelState, ticket: number, tookSlot = false): ModelState {
  return tookSlot ? state : acquireTookSlot(state, `the acquire of #${ticket}`);
}

function takeConn(state: ModelState, id: number, created: boolean): ModelState {
  if (created) {
    const left = state.servedNew[0]?.leftIdle;
    const conn: ModelConn = {
      id,
      state: 'busy',
      createdAt: state.now,
      idleSince: null,
      idleSeq: 0,
      kept: false,
      keptAt: null,
      goneAt: null,
      doomed: null,
      orphan: undefined,
      checkedBack: undefined,
      // A retry after a failed check took it idle, as it had landed earlier in the step.
      leftIdle: left,
      broken: undefined,
    };
    // Learnt from the real call: it counts as an open connection now, no longer as one served unseen.
    return withState(state, { conns: [...state.conns, conn], servedNew: state.servedNew.slice(1) });
  }
  const conn = mustFind(state, id);
  return replaceConn(state, withConn(conn, { state: 'busy', idleSince: null, kept: false, keptAt: null }));
}

export function released(before: ModelState, id: number): ModelState {
  const state = reaperEvent(before, 'first-release');
  const conn = mustFind(state, id);
  const [first, ...rest] = state.waiters;
  // A check for the queue in play: the connection goes idle and the pool looks at its queue.
  if (first !== undefined && state.phase === 'open' && queueChecksInPlay(state)) return releasedToQueue(state, conn);
  if (first !== undefined && state.phase === 'open') {
    // Handed straight to the first waiter: it never becomes idle, so nothing arms its expiry. A
    // check that fails sends the waiter back to the head; a connect the pool then starts for it,
    // landing at once, lands within the step.
    return landedAtOnce(handedOver(withState(state, { waiters: rest }), first, id));
  }
  const next = replaceConn(
    withState(state, { nextIdleSeq: state.nextIdleSeq + 1 }),
    withConn(conn, { state: 'idle', idleSince: state.now, idleSeq: state.nextIdleSeq, kept: false, keptAt: null }),
  );
  return settlePhase(next);
}

/**
 * The loop ran for `ms`: timers fired on time, acquire timeouts among them. `settled`: the
 * acquires the real pool answered, and when, from which the model learns when a polled timeout
 * came (see `timePassed`).
 */
export function slept(state: ModelState, ms: number, settled?: Settled, checked?: LearntInStep): ModelState {
  // The common step: no timer of the model is pending, so only the time moves (one copy, not three).
  if (!timersPending(state)) return withState(state, { now: state.now + ms });
  return learning(checked, state, (s) => timePassed(withState(s, { now: s.now + ms }), settled));
}

/**
 * `checked`: the connections the pool checked and opened meanwhile, from the connector's log, which a look
 * at the queue learns from (see `head-look.ts`); the state holds them only while time passes.
 */
function learning(checked: LearntInStep | undefined, state: ModelState, pass: (s: ModelState) => ModelState): ModelState {
  if (checked === undefined) return pass(state);
  return withState(pass(withState(state, { checkedInStep: checked })), { checkedInStep: undefined, checksBegun: undefined });
}

/**
 * The loop was blocked for `ms`: time passed and nothing ran. Whatever came due fires when the
 * loop wakes, which is the new `now`. `settled`: as for {@link slept}.
 */
export function blocked(state: ModelState, ms: number, settled?: Settled, checked?: LearntInStep): ModelState {
  const now = state.now + ms;
  if (!timersPending(state)) return withState(state, { now, awakeSince: now });
  // While the overdue timers fire, a check's reply waits for all of them (see `check-reply.ts`).
  return withState(learning(checked, state, (s) => timePassed(withState(s, { now, awakeSince: now, waking: true }), settled)), { waking: undefined });
}

/**
 * Graceful close: idle connections go now, busy ones when they are released; waiters are
 * rejected now, or once nothing is in use, as the pool declares. Where the pool rejects the
 * acquires behind connects in flight, they are rejected now, and each connection lands on the
 * closing pool for nobody, to be closed as it lands.
 */
export function closeBegan(state: ModelState): ModelState {
  const waiting = closeRejectsWaitersOf(state.semantics) === 'after-last-release' ? state : rejectWaiters(state);
  const connecting = closeDuringConnectOf(state.semantics) === 'rejects' ? rejectConnects(waiting) : waiting;
  return settlePhase(withState(connecting, { phase: 'closing', closingAt: state.now }));
}

/**
 * Terminate: every connection goes now, in use or not; waiters are rejected. The acquires behind
 * connects in flight are rejected now, or as each connect lands, as the pool declares; each
 * connection is closed as it lands.
 */
export function terminated(state: ModelState): ModelState {
  // Where each connect in flight lands idle, a waiter might have been served by it: the pool
  // rejects the waiters once the last one has landed (see landedWhileClosing).
  const landsIdle = terminateDuringConnectOf(state.semantics) === 'lands-idle' && state.connecting.length > 0;
  const waiting = landsIdle ? state : rejectWaiters(state);
  const connecting = terminateDuringConnectOf(state.semantics) === 'rejects' ? rejectConnects(waiting) : waiting;
  if (!landsIdle) return withState(connecting, { phase: 'closed', closingAt: state.now, closedAt: state.now, terminatedAt: state.now });
  // The connections in use are handed back to the pool, idle; each closes at once or with the
  // last landing (when the pool is closed).
  let idle = connecting;
  for (const conn of connecting.conns.filter((c) => c.state === 'busy')) {
    idle = replaceConn(withState(idle, { nextIdleSeq: idle.nextIdleSeq + 1 }), withConn(conn, { state: 'idle', idleSince: state.now, idleSeq: idle.nextIdleSeq, kept: false, keptAt: null }));
  }
  return withState(idle, { phase: 'closed', closingAt: state.now, closedAt: null, terminatedAt: state.now });
}

/**
 * A connect in flight landed on a closing pool: if it failed and nothing else is in use or on its
 * way, the close is over. One that was served is in use until released. On a terminated pool, the
 * waiters kept for the last landing (`terminateDuringConnect: 'lands-idle'`) are rejected then.
 */
export function landedWhileClosing(state: ModelState): ModelState {
  if (state.answers.some((a) => a.outcome === 'served')) return state;
  if (state.terminatedAt !== null) return state.connecting.length === 0 && state.closedAt === null ? withState(rejectWaiters(state), { closedAt: state.now }) : state;
  return settlePhase(state);
}

/** A closing pool is closed once nothing is in use. */
function settlePhase(state: ModelState): ModelState {
  if (state.phase === 'closing' && state.connecting.length === 0 && state.conns.every((c) => c.state !== 'busy')) {
    return withState(rejectWaiters(state), { phase: 'closed', closedAt: state.now });
  }
  return state;
}

function mustFind(state: ModelState, id: number): ModelConn {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return conn;
}
