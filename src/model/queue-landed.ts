import { answer, servedNew } from './answers.js';
import { repliesAfterWake } from './check-reply.js';
import { withState } from './copy.js';
import type { CheckReply, FailedConnect, LandedUnasked, ModelState, Validating } from './state.js';
import { UNNAMED } from './fresh-check.js';

/*
 * A look at the queue, where checks serve the queue head (generic-pool's `_dispense`), that finds
 * a connection which landed idle earlier in the step for nobody (a refill's, or one that landed
 * while every waiter was covered by a check in flight), not yet named by the connector's log. It
 * sits on the available list as any idle one (`_addPooledResourceToAvailableObjects`), so the look
 * moves it into check in reuse order with the idle connections the model knows by id.
 */

/** The connection that landed idle in this step for nobody, not yet named, that a look takes first in reuse order; `undefined` for none. */
export function landedIdleFirst(state: ModelState): LandedUnasked | undefined {
  const lifo = state.semantics.reuse === 'lifo';
  let best: LandedUnasked | undefined;
  for (const l of state.landedUnasked) {
    if (l.fate !== 'idle' || l.checking !== undefined || l.seq === undefined) continue;
    if (best === undefined || (lifo ? l.seq > (best.seq as number) : l.seq < (best.seq as number))) best = l;
  }
  return best;
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
