import { checkServesOf, validatesAlso } from './semantics.js';
import { answer, servedNew } from './answers.js';
import type { ModelConn, ModelState, Validating } from './state.js';
import { withState } from './copy.js';

/*
 * The slow check of a connection just opened, where checks serve the queue head (generic-pool's
 * `_createResource` puts a new resource on the available list and `_dispense` moves it into
 * `_testOnBorrow`, Pool.js:317-330, 240-252). The model learns a new connection's id from the
 * call that gets it or from the connector's log, and this one is held by its check across steps:
 * until the log names it (at the end of the step it landed in), it is a check in flight whose
 * connection is known only by when its connect began, counted in the pool's size from then.
 */

/** The id of a connection under check that the log has not named yet. */
export const UNNAMED = -1;

/**
 * A connection begun at `startedAt` (due at `due`) lands now for the queue, and its check takes
 * the pending query delay: it is in flight for no acquire, the head of the queue still waiting.
 * Returns `null` where the check is not slow (or the pool does not check new connections).
 */
export function freshCheckBegan(state: ModelState, startedAt: number, due: number): ModelState | null {
  if (state.queryDelay === 0 || checkServesOf(state.semantics) !== 'queue-head' || !validatesAlso(state.semantics, 'opened')) return null;
  const entry: Validating = { ticket: null, forQueue: true, order: state.nextOrder, id: UNNAMED, readyAt: state.now + state.queryDelay, fails: state.validationFails, seq: state.nextIdleSeq, fresh: { startedAt, due } };
  return withState(state, {
    validationFails: false,
    queryDelay: 0,
    nextOrder: state.nextOrder + 1,
    validating: [...state.validating, entry],
    // The log names it in landing order: among the connections that land for nobody meanwhile.
    landedUnasked: [...state.landedUnasked, { at: state.now, fate: 'checking', check: entry.order }],
  });
}

/** Checks of new connections in flight that the log has not named yet (counted in size from their connect's start). */
export function unnamedChecks(state: ModelState, at = Infinity): number {
  let n = 0;
  for (const v of state.validating) if (v.id === UNNAMED && (v.fresh?.startedAt ?? 0) <= at) n++;
  return n;
}

/**
 * The check of a new connection answered in the step it landed in, before the log named it: one
 * that passes goes to the head of the queue (the runner learns its id from the call) or joins the
 * idle ones; one that fails is closed at once. Returns the state with its place in the log's
 * order settled, and whether it failed (the caller refills and looks at the queue then).
 */
export function unnamedCheckAnswered(before: ModelState, checked: Validating): ModelState {
  const fresh = checked.fresh as NonNullable<Validating['fresh']>;
  const replace = (entry: Landing | null): ModelState['landedUnasked'] => placeholderSettled(before, checked.order, entry);
  // It keeps its landing's instant, which the log names it by: it is closed, or idle, from the check's answer.
  const landedAt = before.landedUnasked.find((l) => l.fate === 'checking' && l.check === checked.order)?.at ?? before.now;
  if (checked.fails) {
    // It took a place in the pool from when its connect began, which a floor counts, until closed.
    return withState(before, { landedUnasked: replace({ at: landedAt, fate: 'closed', invalid: true, closedAt: before.now }), failedConnects: [...before.failedConnects, { startedAt: fresh.startedAt, due: checked.readyAt, at: before.now }] });
  }
  const [waiter, ...rest] = before.waiters;
  if (waiter !== undefined && before.phase === 'open') {
    return answer(servedNew(withState(before, { waiters: rest, landedUnasked: replace(null) }), fresh.startedAt), { ticket: waiter.ticket, outcome: 'served', candidates: [] });
  }
  const counted = [...before.failedConnects, { startedAt: fresh.startedAt, due: checked.readyAt, at: landedAt, stays: true as const }];
  return withState(before, { landedUnasked: replace({ at: landedAt, fate: 'idle', seq: before.nextIdleSeq, idleFrom: before.now }), failedConnects: counted, nextIdleSeq: before.nextIdleSeq + 1 });
}

type Landing = ModelState['landedUnasked'][number];

/**
 * A connection under check keeps its place in the log's order of landings (`fate: 'checking'`,
 * `check`: its check's order); as its check answers, it becomes what it is then (`entry`), or
 * leaves the list (`null`: lent, learnt from the call).
 */
export function placeholderSettled(state: ModelState, order: number, entry: Landing | null): ModelState['landedUnasked'] {
  const list = [...state.landedUnasked];
  const slot = list.findIndex((l) => l.fate === 'checking' && l.check === order);
  if (entry === null) list.splice(slot, 1);
  else list[slot] = entry;
  return list;
}

/** The log named the connection under check `order` as #`id`, opened at `at`: from here it is a connection of the model's, under check. */
export function freshCheckNamed(state: ModelState, order: number, id: number, at: number): ModelState {
  const conn: ModelConn = { id, state: 'validating', createdAt: at, idleSince: null, idleSeq: 0, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined };
  return withState(state, {
    conns: [...state.conns, conn],
    validating: state.validating.map((v) => (v.order === order && v.id === UNNAMED ? { ...v, id } : v)),
    landedUnasked: state.landedUnasked.filter((l) => !(l.fate === 'checking' && l.check === order)),
  });
}
