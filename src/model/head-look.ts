import { idleConns, lifetimeOf, reaperEvent, type LandedUnasked, type ModelConn, type ModelState, type Validating, type Waiter } from './state.js';
import { withState } from './copy.js';
import { validate } from './waiters.js';
import { windowOf } from './windows.js';
import { answer, servedNew } from './answers.js';
import { checkTakesHead } from './head-check.js';
import { retryLater } from './retry.js';
import { rejectsHeadOnFailure } from './rejected-head.js';
import { validationOf } from './semantics.js';

/*
 * A look at the queue, in a pool whose check takes the head acquire (see `head-check.ts`), that
 * finds idle connections: a check that failed or ended for its acquire's sake left the acquire at
 * the head, and a release meanwhile, while no one waited, or a connect that landed for nobody,
 * left a connection idle.
 */

/** Whether a look at the queue finds idle connections to hand to the heads of the queue. */
export function headsMayTakeIdle(state: ModelState): boolean {
  // A failed connect's rejected head can take a connection that then goes back idle, with acquires waiting.
  return (checkTakesHead(state) || rejectsHeadOnFailure(state)) && state.phase === 'open' && state.waiters.length > 0 && (idleConns(state).some((c) => !promised(state, c.id)) || landedIdle(state) !== undefined);
}

/** Served, in this step, to a head before, where no check took it out of idle. */
function promised(state: ModelState, id: number): boolean {
  return state.answers.some((a) => a.outcome === 'served' && a.candidates.length === 1 && a.candidates[0] === id);
}

/**
 * The connection that landed idle in this step, for nobody, that the log has not named yet, in
 * reuse order. During a sleep, one a reaper's run may have taken is taken by the look only where
 * the log shows the pool checked a connection it opened at that instant (see {@link idleFor}).
 */
function landedIdle(state: ModelState): LandedUnasked | undefined {
  let best: LandedUnasked | undefined;
  for (const l of state.landedUnasked) {
    if (l.fate !== 'idle' || l.checking !== undefined || l.seq === undefined || (best !== undefined && (l.seq > (best.seq as number)) !== (state.semantics.reuse === 'lifo'))) continue;
    if (mayBeReaped(state, l.armed === false ? null : l.at) && !checkedOpenedAt(state, l.at)) continue;
    best = l;
  }
  return best;
}

/** Whether a connection idle since `since` (`null`: never armed) may have been taken by a reaper's run by now. */
function mayBeReaped(state: ModelState, since: number | null): boolean {
  const lifetime = lifetimeOf(state);
  return state.checkedInStep !== undefined && state.semantics.expiry.kind === 'reaper' && since !== null && lifetime !== null && since + lifetime <= state.now;
}

/** The log shows the pool checked, in this sleep, a connection it opened at `at`. */
function checkedOpenedAt(state: ModelState, at: number): boolean {
  const learnt = state.checkedInStep;
  return learnt !== undefined && learnt.opened.some((o) => o.at === at && learnt.checked.includes(o.id));
}

/**
 * The look pairs the heads of the queue with the idle connections in reuse order, and checks each
 * for its acquire (tarn's `_doAcquire` loop, Pool.js:268-346); it starts no connect. `null` where
 * it finds none to take after all (a reaper took them in this step), and the look goes on as one
 * that finds nothing idle.
 */
export function headsTakeIdle(before: ModelState): ModelState | null {
  let state = before;
  // Each turn takes one head out of the queue, or spends a fault: this ends.
  for (let turn = 0; turn <= before.waiters.length + 2 && headsMayTakeIdle(state); turn++) {
    const [head, ...rest] = state.waiters as [Waiter, ...Waiter[]];
    const landing = landedIdle(state);
    const lifo = state.semantics.reuse === 'lifo';
    const pick = idleFor(state);
    if (landing !== undefined && (pick === undefined || (lifo ? pick.idleSeq < (landing.seq as number) : pick.idleSeq > (landing.seq as number)))) {
      state = landedTaken(state, head, landing);
      continue;
    }
    if (pick === undefined) return turn === 0 ? null : state;
    state = validate(withState(state, { waiters: rest }), head.ticket, pick.id, { list: [], next: 0 }, undefined, 'reuse', head);
  }
  // An acquire served by the look starts a reaper that starts on one (tarn's `_startReaping`).
  return state.answers.length > before.answers.length ? reaperEvent(state, 'first-acquire') : state;
}

/**
 * The idle connection a look takes, in reuse order. During a sleep, a reaper's run may have taken
 * one whose window had opened, at an instant the model only bounds: the connector's log says
 * whether the pool checked it (`checkedInStep`); where it did not, the run took it, and the look
 * passes on to the next.
 */
function idleFor(state: ModelState): ModelConn | undefined {
  const lifo = state.semantics.reuse === 'lifo';
  const idle = idleConns(state).filter((c) => !promised(state, c.id)).sort((a, b) => (lifo ? b.idleSeq - a.idleSeq : a.idleSeq - b.idleSeq));
  const checked = state.checkedInStep;
  return idle.find((c) => {
    if (checked === undefined || checked.checked.includes(c.id)) return true;
    // A pool that checks nothing logs no check: the log's close tells whether a run took it.
    if (validationOf(state.semantics) === 'none') return !(checked.closed ?? []).some((x) => x.id === c.id && x.at <= state.now);
    const window = windowOf(state, c);
    return window === null || window.cause !== 'expiry' || window.from > state.now;
  });
}

/**
 * The head takes a connection that landed idle in this step, not yet named by the log, and checks
 * it: it passes at once (the head gets a new connection), fails at once (it is closed, the head
 * stays, and the pool looks again from a zero-delay timer), or is slow (in flight, as a new
 * connection's check is: see `openedCheckInFlight`).
 */
function landedTaken(state: ModelState, head: Waiter, landing: LandedUnasked): ModelState {
  const entry = state.failedConnects.findIndex((f) => f.stays === true && f.at === landing.at);
  const startedAt = entry < 0 ? landing.at : (state.failedConnects[entry] as ModelState['failedConnects'][number]).startedAt;
  const swap = (next: LandedUnasked | null): LandedUnasked[] => state.landedUnasked.flatMap((l) => (l !== landing ? [l] : next === null ? [] : [next]));
  if (state.queryDelay > 0) {
    const stand = -state.nextOrder;
    const check: Validating = { ticket: head.ticket, order: state.nextOrder, id: stand, readyAt: state.now + state.queryDelay, fails: state.validationFails, seq: state.nextIdleSeq, ...(head.deadline === null ? {} : { covered: { since: head.since, order: head.order } }), opened: { startedAt, due: landing.at } };
    return withState(state, { waiters: state.waiters.filter((w) => w !== head), validationFails: false, queryDelay: 0, nextOrder: state.nextOrder + 1, validating: [...state.validating, check], landedUnasked: swap({ at: landing.at, fate: 'idle', checking: stand }) });
  }
  if (state.validationFails) return retryLater(withState(state, { validationFails: false, landedUnasked: swap({ at: landing.at, fate: 'closed', invalid: true, closedAt: state.now }) }), 0);
  const rest = withState(state, { waiters: state.waiters.filter((w) => w !== head), landedUnasked: swap(null), failedConnects: entry < 0 ? state.failedConnects : state.failedConnects.filter((_, i) => i !== entry) });
  return answer(servedNew(reaperEvent(rest, 'first-acquire'), startedAt), { ticket: head.ticket, outcome: 'served', candidates: [] });
}
