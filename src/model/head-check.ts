import { abortOf, checkServesOf, connectServesOf, validationOf } from './semantics.js';
import { answer, doom, servedNew, serveWaiters } from './answers.js';
import { findConn, reaperEvent, replaceConn, type DoomCause, type LandedUnasked, type ModelConn, type ModelState, type Validating, type Waiter } from './state.js';
import { withState } from './copy.js';
import { retryLater } from './retry.js';
import type { Opened } from './reconcile.js';

/*
 * A check tied to the head acquire as it starts, in a pool whose connects serve the queue head
 * (an async validation that does not serve the queue head, with `connectServes: 'queue-head'`).
 * The pool takes the head of its queue and a connection (idle, released, or just opened) together
 * and checks that connection for that acquire: while the check is in flight the acquire is out of
 * the queue (it does not count in `waiting`, nor for the connects the queue calls for) and the
 * connection counts in `size`. A check that fails puts its acquire back at the head of the queue;
 * a check that ends because its acquire gave up (its deadline, `lateCheck: 'closed'`, or its
 * abort, `abort.lateCheck: 'closed'`) closes the connection. Either way the pool looks at its
 * queue again from a zero-delay timer, after the timers already due at that instant (tarn's
 * `_doAcquire`, Pool.js:268-346: `pendingAcquires.unshift`, then `setTimeout(0)` calling
 * `_tryAcquireOrCreate`).
 */

/** Whether the pool's check is tied to the head acquire as it starts, its connects serving the queue head. */
export function checkTakesHead(state: ModelState): boolean {
  return validationOf(state.semantics) === 'async' && connectServesOf(state.semantics) === 'queue-head' && checkServesOf(state.semantics) !== 'queue-head';
}

/** Whether a check is of a connection just opened whose id the connector's log has not told yet. */
export function idUnknown(v: Validating): boolean {
  return v.opened !== undefined && v.id < 0;
}

/**
 * Connect `c` lands for `head`, and the pool checks the new connection before the head gets it
 * (`alsoChecks: ['opened']`). The check is in flight across timers where its query is slow, or
 * where it passes as a blocked loop wakes with the head's deadline overdue: the reply comes after
 * every overdue timer, the deadline's among them (a check that fails needs no reply). `null`: it
 * answers as it lands (see `openedCheckFails`).
 */
export function openedCheckInFlight(state: ModelState, startedAt: number, due: number, head: Waiter): ModelState | null {
  if (!checkTakesHead(state)) return null;
  const overdue = !state.validationFails && head.deadline !== null && head.deadline <= state.awakeSince && state.now === state.awakeSince;
  if (state.queryDelay === 0 && !overdue) return null;
  const stand = -state.nextOrder;
  const check: Validating = {
    ticket: head.ticket,
    order: state.nextOrder,
    id: stand,
    readyAt: state.now + state.queryDelay,
    fails: state.validationFails,
    seq: state.nextIdleSeq,
    ...(head.deadline === null ? {} : { covered: { since: head.since, order: head.order } }),
    opened: { startedAt, due },
  };
  const landing: LandedUnasked = { at: state.now, fate: 'idle', checking: stand };
  return withState(state, {
    waiters: state.waiters.filter((w) => w !== head),
    validationFails: false,
    queryDelay: 0,
    nextOrder: state.nextOrder + 1,
    validating: [...state.validating, check],
    // It took a place in the pool from when its connect began, which a floor counts.
    failedConnects: [...state.failedConnects, { startedAt, due, at: state.now, stays: true }],
    landedUnasked: [...state.landedUnasked, landing],
  });
}

/** The log told the id of a new connection under check (`stand`, its stand-in): it is a connection under check from now on. */
export function checkedConnOpened(before: ModelState, stand: number, event: Opened): ModelState {
  const landing = before.landedUnasked[0] as LandedUnasked;
  const entry = before.failedConnects.findIndex((f) => f.stays === true && f.at === landing.at);
  const conn: ModelConn = { id: event.id, state: 'validating', createdAt: event.at, idleSince: null, idleSeq: before.nextIdleSeq, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined };
  return withState(before, {
    landedUnasked: before.landedUnasked.slice(1),
    failedConnects: entry < 0 ? before.failedConnects : before.failedConnects.filter((_, i) => i !== entry),
    validating: before.validating.map((v) => (v.id === stand ? { ...v, id: event.id } : v)),
    conns: [...before.conns, conn],
  });
}

/** The stand-in's place in `landedUnasked` becomes what the check ended in. */
function landingBecomes(state: ModelState, v: Validating, next: LandedUnasked | null): ModelState {
  const landedUnasked: LandedUnasked[] = [];
  for (const l of state.landedUnasked) {
    if (l.checking !== v.id) landedUnasked.push(l);
    else if (next !== null) landedUnasked.push(next);
  }
  return withState(state, { landedUnasked });
}

/** The acquire back at the head of the queue, with the timer it has had since its call. */
function backAtHead(state: ModelState, v: Validating): ModelState {
  const timeout = state.config.acquireTimeoutMs;
  const since = v.covered?.since ?? state.now;
  const waiter: Waiter = { ticket: v.ticket as number, order: v.covered?.order ?? state.nextOrder, since, deadline: v.covered === undefined || timeout === undefined ? null : since + timeout };
  return withState(state, { waiters: [waiter, ...state.waiters] });
}

/**
 * The check `v` answered (it left `state.validating` already). It passed: its acquire gets the
 * connection (a new one, where the log has not told its id). It failed: the connection is closed,
 * its acquire goes back to the head of the queue, and the pool looks at its queue from a
 * zero-delay timer.
 */
export function headCheckLanded(state: ModelState, v: Validating): ModelState {
  if (!v.fails) {
    if (v.ticket === null) {
      // Its acquire gave up and the check went on (`'kept'`): the new connection joins the idle ones.
      const landed = (state.landedUnasked.find((l) => l.checking === v.id) as LandedUnasked).at;
      return withState(landingBecomes(state, v, { at: landed, fate: 'idle', seq: state.nextIdleSeq }), { nextIdleSeq: state.nextIdleSeq + 1 });
    }
    // Served now, within the step: a reaper that starts on an acquire served (tarn's
    // `_startReaping` in `_doAcquire`, Pool.js:295-297) starts at this instant.
    const serving = reaperEvent(state, 'first-acquire');
    if (!idUnknown(v)) return answer(serving, { ticket: v.ticket, outcome: 'served', candidates: [v.id], via: 'reuse' });
    const counted = withState(landingBecomes(serving, v, null), { failedConnects: withoutStand(serving, v) });
    return answer(servedNew(counted, (v.opened as NonNullable<Validating['opened']>).startedAt), { ticket: v.ticket, outcome: 'served', candidates: [] });
  }
  const closed = closeChecked(state, v, 'invalid');
  return retryLater(v.ticket === null ? closed : backAtHead(closed, v), 0);
}

/** The stand-in no longer counts as a connect that landed: it was lent, and is learnt from the call. */
function withoutStand(state: ModelState, v: Validating): ModelState['failedConnects'] {
  const landing = state.landedUnasked.find((l) => l.checking === v.id);
  const entry = landing === undefined ? -1 : state.failedConnects.findIndex((f) => f.stays === true && f.at === landing.at);
  return entry < 0 ? state.failedConnects : state.failedConnects.filter((_, i) => i !== entry);
}

/** The connection under check `v` is closed now, for `cause`. */
function closeChecked(state: ModelState, v: Validating, cause: DoomCause): ModelState {
  if (idUnknown(v)) {
    const cut = cause === 'check-timed-out' || cause === 'check-aborted' ? { cause } : {};
    const landed = (state.landedUnasked.find((l) => l.checking === v.id) as LandedUnasked).at;
    return landingBecomes(state, v, { at: landed, fate: 'closed', closedAt: state.now, ...(cause === 'invalid' ? { invalid: true as const } : {}), ...cut });
  }
  const conn = findConn(state, v.id) as ModelConn;
  const timer = cause === 'invalid' ? { due: v.readyAt, seq: v.seq } : undefined;
  return doom(replaceConn(state, { ...conn, state: 'idle' }), v.id, cause, timer);
}

/**
 * The acquire checking `v` gave up (`cause`: its deadline, or its abort) and the pool closes the
 * connection now (it is no longer in `state.validating`). Where the check takes the head, the pool
 * looks at its queue from a zero-delay timer; otherwise the capacity goes to the first waiter at once.
 */
export function checkGivenUp(state: ModelState, v: Validating, cause: 'check-timed-out' | 'check-aborted'): ModelState {
  const closed = closeChecked(state, v, cause);
  return checkTakesHead(state) ? retryLater(closed, 0) : serveWaiters(closed);
}

/** Whether an abort closes the connection under check (`abort.lateCheck: 'closed'`). */
export function abortClosesCheck(state: ModelState): boolean {
  return abortOf(state.semantics)?.lateCheck === 'closed';
}
