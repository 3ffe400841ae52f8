import type { ModelConn, ModelState } from './state.js';

/*
 * The model is immutable: a transition returns a copy of the state with some fields changed. On
 * Node 20, V8 copies an object spread (`{ ...state, now }`) property by property in its runtime,
 * about a microsecond for a state of this size, while an object literal that names its fields is
 * built in a few tens of nanoseconds; the model copies its state several times a step. These two
 * functions are that literal, for the copies made on every step.
 *
 * Every state and every connection has every field, the ones a step may leave unset holding
 * `undefined`, so that all of them share one shape (V8's hidden class). Fields present only where
 * set made a shape per combination that a run went through: the reads of a state then missed
 * V8's inline caches, and a copy cost about a microsecond again (it was a quarter of the model's
 * time in `npm run bench`'s overhead part).
 */

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Every field of the state and of a connection, optional ones included: a field added to either
 * without being added here fails to compile, and `copy.test.ts` checks that each one is copied.
 */
export const STATE_FIELDS = {
  config: true,
  semantics: true,
  now: true,
  awakeSince: true,
  conns: true,
  phase: true,
  closingAt: true,
  closedAt: true,
  terminatedAt: true,
  nextIdleSeq: true,
  reaperStartedAt: true,
  waiters: true,
  answers: true,
  nextTicket: true,
  failNext: true,
  connectDelay: true,
  connecting: true,
  failedConnects: true,
  nextOrder: true,
  validationFails: true,
  queryDelay: true,
  validating: true,
  orphans: true,
  servedNew: true,
  refillOwed: true,
  acquiredOnce: true,
  landedUnasked: true,
  reaperMayHaveStopped: true,
  reaperRestartedAt: true,
  connectsLandByIo: true,
  failedAtOnce: true,
  retryTimers: true,
  checkReplies: true,
  waking: true,
  checkedInStep: true,
  retired: true,
  checksBegun: true,
} as const satisfies Record<keyof ModelState, true>;

/** The state's fields a step may leave unset (`undefined`), at the end of {@link STATE_FIELDS}. */
export const OPTIONAL_STATE_FIELDS = ['reaperMayHaveStopped', 'reaperRestartedAt', 'connectsLandByIo', 'failedAtOnce', 'retryTimers', 'checkReplies', 'waking', 'checkedInStep', 'retired', 'checksBegun'] as const;

export const CONN_FIELDS = {
  id: true,
  state: true,
  createdAt: true,
  idleSince: true,
  idleSeq: true,
  kept: true,
  keptAt: true,
  goneAt: true,
  doomed: true,
  orphan: true,
  checkedBack: true,
  leftIdle: true,
  broken: true,
} as const satisfies Record<keyof ModelConn, true>;

/** `{ ...state, ...changes }`, in the order {@link initialState} gives the fields. */
export function withState(state: ModelState, changes: Partial<ModelState>): ModelState {
  return assign(copyState(state), changes);
}

function copyState(state: ModelState): Writable<ModelState> {
  const next: Writable<ModelState> = {
    config: state.config,
    semantics: state.semantics,
    now: state.now,
    awakeSince: state.awakeSince,
    conns: state.conns,
    phase: state.phase,
    closingAt: state.closingAt,
    closedAt: state.closedAt,
    terminatedAt: state.terminatedAt,
    nextIdleSeq: state.nextIdleSeq,
    reaperStartedAt: state.reaperStartedAt,
    waiters: state.waiters,
    answers: state.answers,
    nextTicket: state.nextTicket,
    failNext: state.failNext,
    connectDelay: state.connectDelay,
    connecting: state.connecting,
    failedConnects: state.failedConnects,
    nextOrder: state.nextOrder,
    validationFails: state.validationFails,
    queryDelay: state.queryDelay,
    validating: state.validating,
    orphans: state.orphans,
    servedNew: state.servedNew,
    refillOwed: state.refillOwed,
    acquiredOnce: state.acquiredOnce,
    landedUnasked: state.landedUnasked,
    reaperMayHaveStopped: state.reaperMayHaveStopped,
    reaperRestartedAt: state.reaperRestartedAt,
    connectsLandByIo: state.connectsLandByIo,
    failedAtOnce: state.failedAtOnce,
    retryTimers: state.retryTimers,
    checkReplies: state.checkReplies,
    waking: state.waking,
    checkedInStep: state.checkedInStep,
    retired: state.retired,
    checksBegun: state.checksBegun,
  };
  return next;
}

/** `{ ...conn, ...changes }`, in the order a new connection has its fields. */
export function withConn(conn: ModelConn, changes: Partial<ModelConn>): ModelConn {
  const next: Writable<ModelConn> = {
    id: conn.id,
    state: conn.state,
    createdAt: conn.createdAt,
    idleSince: conn.idleSince,
    idleSeq: conn.idleSeq,
    kept: conn.kept,
    keptAt: conn.keptAt,
    goneAt: conn.goneAt,
    doomed: conn.doomed,
    orphan: conn.orphan,
    checkedBack: conn.checkedBack,
    leftIdle: conn.leftIdle,
    broken: conn.broken,
  };
  return assign(next, changes);
}

function assign<T extends object>(target: T, changes: Partial<T>): T {
  for (const key in changes) (target as Record<string, unknown>)[key] = changes[key];
  return target;
}
