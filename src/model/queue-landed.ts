import { answer, servedNew } from './answers.js';
import { repliesAfterWake } from './check-reply.js';
import { withState } from './copy.js';
import { lifetimeOf, type CheckReply, type FailedConnect, type LandedUnasked, type ModelState, type Validating } from './state.js';
import { UNNAMED } from './fresh-check.js';
import { runRefill } from './queue-check.js';

/*
 * A look at the queue, where checks serve the queue head (generic-pool's `_dispense`), that finds
 * a connection which landed idle earlier in the step for nobody (a refill's, or one that landed
 * while every waiter was covered by a check in flight), not yet named by the connector's log. It
 * sits on the available list as any idle one (`_addPooledResourceToAvailableObjects`), so the look
 * moves it into check in reuse order with the idle connections the model knows by id.
 */

/**
 * The connections that landed idle in this step for nobody, not yet named, in the order a look
 * takes them (reuse order), up to the first one it takes: `reaped`, those before it that a
 * reaper's run closed first (see {@link reapedLanding}).
 */
export function landedIdleFirst(state: ModelState): { landing: LandedUnasked | undefined; reaped: LandedUnasked[] } {
  const lifo = state.semantics.reuse === 'lifo';
  const idle = state.landedUnasked.filter((l) => l.fate === 'idle' && l.checking === undefined && l.seq !== undefined);
  // Stable: among equal ranks, the log's landing order.
  idle.sort((a, b) => (lifo ? (b.seq as number) - (a.seq as number) : (a.seq as number) - (b.seq as number)));
  const reaped: LandedUnasked[] = [];
  for (const l of idle) {
    if (!reapedLanding(state, l)) return { landing: l, reaped };
    reaped.push(l);
  }
  return { landing: undefined, reaped };
}

/**
 * During a sleep, a reaper's run may have closed a connection that landed idle past its lifetime
 * by now: the connector's log says whether the pool checked a connection it opened at that
 * instant; where it did not, the run took it before the look.
 */
function reapedLanding(state: ModelState, l: LandedUnasked): boolean {
  const learnt = state.checkedInStep;
  const lifetime = lifetimeOf(state);
  if (learnt === undefined || state.semantics.expiry.kind !== 'reaper' || l.armed === false || lifetime === null || l.at + lifetime > state.now) return false;
  return !learnt.opened.some((o) => o.at === l.at && learnt.checked.includes(o.id));
}

/** Landed connections a reaper's run closed before the look: closed, no longer counted after now, learnt from the log as expiries. */
export function landingsReaped(state: ModelState, reaped: readonly LandedUnasked[]): ModelState {
  if (reaped.length === 0) return state;
  let failedConnects = state.failedConnects;
  for (const l of reaped) {
    const counted = failedConnects.find((f) => f.stays === true && f.at === l.at);
    if (counted !== undefined) failedConnects = [...without(failedConnects, counted), { startedAt: counted.startedAt, due: counted.due, at: state.now }];
  }
  const landedUnasked = state.landedUnasked.map((l) => (reaped.includes(l) ? { at: l.at, fate: 'closed' as const, cause: 'reaped' as const, closedAt: state.now } : l));
  let next = withState(state, { failedConnects, landedUnasked });
  // Where the log says when the run closed it, the run refilled then.
  for (const l of reaped) {
    const learnt = state.checkedInStep;
    const id = learnt?.opened.find((o) => o.at === l.at)?.id;
    const at = learnt?.closed?.find((c) => c.id === id)?.at;
    if (at !== undefined && at <= state.now) next = runRefill(next, at);
  }
  return next;
}

/**
 * The look moves landed connection `landing` into check, which takes the pending faults: a slow
 * check is in flight for the queue as a new connection's is (see `fresh-check.ts`); a quick pass
 * serves the head of the queue (after every overdue timer, at a wake: see `check-reply.ts`); a
 * quick failure closes it, and the caller refills and looks again (`failed`).
 */
export function landedIntoCheck(before: ModelState, landing: LandedUnasked): { state: ModelState; failed: boolean } {
  const counted = before.failedConnects.find((f) => f.stays === true && f.at === landing.at);
  const startedAt = counted?.startedAt ?? landing.at;
  const due = counted?.due ?? landing.at;
  const fails = before.validationFails;
  const delay = before.queryDelay;
  const state = withState(before, { validationFails: false, queryDelay: 0, failedConnects: without(before.failedConnects, counted) });
  const swap = (next: LandedUnasked | null): LandedUnasked[] => state.landedUnasked.flatMap((l) => (l !== landing ? [l] : next === null ? [] : [next]));
  if (delay > 0) {
    const entry: Validating = { ticket: null, forQueue: true, order: state.nextOrder, id: UNNAMED, readyAt: state.now + delay, fails, seq: state.nextIdleSeq, fresh: { startedAt, due } };
    return { state: withState(state, { nextOrder: state.nextOrder + 1, validating: [...state.validating, entry], landedUnasked: swap({ at: landing.at, fate: 'checking', check: entry.order }) }), failed: false };
  }
  if (fails) {
    // Counted in size from its connect's start until it is closed now.
    const closed: FailedConnect = { startedAt, due, at: state.now };
    return { state: withState(state, { failedConnects: [...state.failedConnects, closed], landedUnasked: swap({ at: landing.at, fate: 'closed', invalid: true, closedAt: state.now }) }), failed: true };
  }
  if (repliesAfterWake(state)) {
    const reply: CheckReply = { startedAt, due, order: state.nextOrder, seq: state.nextIdleSeq };
    return { state: withState(state, { nextOrder: state.nextOrder + 1, checkReplies: [...(state.checkReplies ?? []), reply], landedUnasked: swap({ at: landing.at, fate: 'checking', check: reply.order }) }), failed: false };
  }
  const [head, ...rest] = state.waiters;
  if (head === undefined) return { state: before, failed: false };
  return { state: answer(servedNew(withState(state, { waiters: rest, landedUnasked: swap(null) }), startedAt), { ticket: head.ticket, outcome: 'served', candidates: [] }), failed: false };
}

function without(list: readonly FailedConnect[], entry: FailedConnect | undefined): readonly FailedConnect[] {
  return entry === undefined ? list : list.filter((f) => f !== entry);
}
