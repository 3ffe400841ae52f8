/**
 * The expiry semantics a pool declares. Pools differ legitimately in how they expire idle
 * connections; the model reads these fields and never asks which library it is looking at.
 */

/** Each idle connection has its own timer that fires exactly at release + lifetime. */
export interface TimerExpiry {
  readonly kind: 'timer';
}

/** A periodic reaper destroys idle connections whose idle time passed the lifetime. */
export interface ReaperExpiry {
  readonly kind: 'reaper';
  /** How often the reaper runs, in ms. */
  readonly intervalMs: number;
  /** What starts the reaper's schedule. */
  readonly startsOn: 'pool-creation' | 'first-acquire' | 'first-release' | 'while-idle';
  /** `>`: idle time must exceed the lifetime; `>=`: reaching it is enough. */
  readonly compare: '>' | '>=';
  /** The most connections one run destroys; `null` for no limit. */
  readonly maxPerRun: number | null;
  /**
   * A run that finds the pool empty (no connection, no acquire or connect pending) stops the
   * reaper, and it starts again as it first did (`startsOn: 'first-acquire'`: the next acquire
   * served). Only a connect that lands for nobody (its acquire gave up) opens a connection then,
   * which the stopped reaper leaves open. Left out: the reaper never stops.
   */
  readonly stopsWhenEmpty?: boolean;
}

export type ExpiryTrigger = TimerExpiry | ReaperExpiry;

/** A graceful close whose own timer closes idle connections, within `withinMs`. */
export interface IdleByTimerClose {
  readonly kind: 'idle-by-timer';
  readonly withinMs: number;
}

/** A lifetime of 0 is replaced by this many ms. */
export interface ZeroLifetimeDefault {
  readonly kind: 'default';
  readonly ms: number;
}
/** What a min floor counts: open connections, idle ones only, or nothing (no floor). */
export type MinFloor = 'size' | 'idle' | 'none';

/**
 * An event after which the pool opens connections back up to min: an expiry; a discarded or
 * broken connection; the next acquire; every run of the reaper.
 */
export type MinRefill = 'after-expiry' | 'after-discard' | 'at-acquire' | 'on-reaper-run';

/** When the pool first opens its min: as it is created, at the first acquire, or never. */
export type MinOpens = 'on-create' | 'first-acquire' | 'never';

/** When a refill after a discard is decided: as the connection is discarded, or once its close has completed. */
export type DiscardRefill = 'at-discard' | 'when-closed';

/** Every refill trigger, in the order they are printed. */
export const MIN_REFILLS: readonly MinRefill[] = ['after-expiry', 'after-discard', 'at-acquire', 'on-reaper-run'];

export interface Semantics {
  readonly expiry: ExpiryTrigger;
  /** What starts a connection's idle clock: only a release, or also its creation. */
  readonly armsOn: 'release' | 'release-and-create';
  /**
   * Shorthand for {@link Semantics.minFloor} and {@link Semantics.minRefill} together, as
   * declarations made before they existed say it: `'ignored'` (no floor, no refill), `'floor'` (a
   * floor on size, no refill), `'floor-refill'` (no floor; refilled after an expiry and after a
   * discard or break). Declare either this or the two fields. See {@link normalizeSemantics}.
   */
  readonly min?: 'ignored' | 'floor' | 'floor-refill';
  /**
   * What a min floor counts when an expiry comes due: `'size'` (the connection is kept while the
   * pool has no more than `minSize` connections open or opening), `'idle'` (kept while no more than
   * `minSize` are idle, however many are in use), or `'none'` (expiry ignores min).
   */
  readonly minFloor?: MinFloor;
  /**
   * When the pool opens connections back up to `minSize` (counted as the floor counts: idle ones
   * for an `'idle'` floor, else open ones), a set: empty for never.
   */
  readonly minRefill?: readonly MinRefill[];
  /** When the pool first opens its `minSize` connections. Shorthand: `opensMinOnCreate`. */
  readonly minOpens?: MinOpens;
  /**
   * When a refill after a discard (`minRefill` with `'after-discard'`) is decided: as the
   * connection is discarded (`'at-discard'`, the default), or once its close has completed
   * (`'when-closed'`), which the connector orders as it lands its connects: at once in process
   * (pg-mem), by I/O on a server, after what completes at once (a refused connect) and after the
   * timers due at that instant. Without `'after-discard'` in `minRefill` it says nothing. See
   * docs/semantics.md, "A refill decided when the close completes".
   */
  readonly discardRefill?: DiscardRefill;
  /** Which idle connection an acquire gets: the most recently released, or the longest idle. */
  readonly reuse: 'lifo' | 'fifo';
  /**
   * How an acquire that finds an idle connection gets it: in a microtask or `process.nextTick`
   * (`microtask`), a `setImmediate` (`immediate`) or a `setTimeout(0)` (`timeout`). It decides
   * whether an acquire issued as a blocked loop wakes beats the expiry timers that came due during
   * the block (see `handoffBeatsOverdue` in model/handoff.ts). `macrotask`, the older shorthand
   * ("the overdue timers run first"), means `timeout`.
   */
  readonly handoff: 'microtask' | 'immediate' | 'timeout' | 'macrotask';
  /**
   * What a lifetime of 0 means: expiry is off (`disables`); the pool refuses it, so creating the
   * pool fails with an error (`create-fails`); every idle connection is due at once, by a 0 ms
   * timer or the reaper's next run (`due-at-once`); or the pool uses a default of `ms` instead
   * (`{ kind: 'default', ms }`). `rejected`, the older value, means only "never draw 0".
   */
  readonly zeroLifetime: 'disables' | 'create-fails' | 'due-at-once' | ZeroLifetimeDefault | 'rejected';
  /** Shorthand for {@link Semantics.minOpens}: true is `'on-create'`, false `'never'`. Declare one of the two. */
  readonly opensMinOnCreate?: boolean;
  /**
   * When a graceful close closes idle connections: at once, with each in-use one closed at its
   * release (`'idle-at-once'`, the default), all together once the last in-use one is released
   * (`'after-last-release'`), or from the pool's own timer, each within `withinMs` of the close
   * (or of its release, for one in use then) (`{ kind: 'idle-by-timer', withinMs }`).
   */
  readonly gracefulClose?: 'idle-at-once' | 'after-last-release' | IdleByTimerClose;
  /**
   * Whether the pool checks an idle connection before lending it: not at all (`'none'`, the
   * default), with a synchronous check (`'sync'`), or with a query it awaits (`'async'`). A
   * connection that fails is closed at once and the next idle one is tried, else a new one opened.
   * See {@link Validation}.
   */
  readonly validation?: Validation;
  /**
   * The waits and faults the pool supports, so that only those commands are generated. Left out:
   * none (acquires only below max, no faults), which is how an adapter that predates them behaves.
   * A field left out is off (`false`, or `null` for `acquireTimeout`): `{ waiters: true }` is enough.
   */
  readonly capabilities?: Partial<Capabilities>;
}

/**
 * What a pool does under waits and faults. Each field turns on commands; a pool that does
 * something else there (or nothing sensible) leaves it off, and the summary lists the properties
 * that were not applicable.
 */
export interface Capabilities {
  /**
   * Acquires at max wait in a first-in first-out queue, and a waiter is served as soon as
   * capacity frees up: a released connection is handed to the first waiter; a discarded one, or a
   * failed connect, makes room for a new connection for it.
   */
  readonly waiters: boolean;
  /**
   * A pool-wide acquire timeout (`PoolConfig.acquireTimeoutMs`): a waiter is rejected once it has
   * waited that long, by a timer. `'optional'`: without one a waiter waits for ever; `'required'`:
   * the pool always has one, so every run draws one. `null`: no timeout is generated.
   */
  readonly acquireTimeout: 'optional' | 'required' | null;
  /** The adapter's `destroy` discards an in-use connection: it is closed at once and its capacity freed. */
  readonly destroy: boolean;
  /**
   * `true`: a failed connect rejects the acquire that asked for it, and frees its capacity.
   * `{ retry }`: the pool retries it for the acquire, which keeps waiting and never sees the error
   * (see {@link FailedConnectRetry}; with `rejectsHead`, whoever heads the queue is rejected, and
   * the retry serves the rest). `false`: no failed connect is drawn.
   */
  readonly failedConnect: boolean | FailedConnectRetry;
  /**
   * A connect that takes time keeps its acquire pending until it lands, or until the acquire
   * timeout cuts it short where `acquireTimeoutCovers` is `'wait-and-connect'`. Meanwhile the
   * connection being opened takes capacity and counts in `size`, but not in `idle` or `waiting`.
   */
  readonly slowConnect: boolean;
  /**
   * What the acquire timeout bounds. `'wait'` (the default): only the wait in the queue; an acquire
   * whose connect has started waits for it however long it takes. `'wait-and-connect'`: one
   * deadline from the acquire's start; an acquire still waiting for its connect then is rejected,
   * and its connect is handled as `lateConnect` says.
   */
  readonly acquireTimeoutCovers?: AcquireTimeoutCovers;
  /**
   * A connect still in flight when its acquire gave up (`acquireTimeoutCovers: 'wait-and-connect'`):
   * - `'closed'`: abandoned at the deadline, no longer counted in `size`; the connection is closed
   *   the instant it lands;
   * - `'kept'`: it goes on, counted in `size`, and the connection joins the pool when it lands: the
   *   first waiter gets it, or it is idle from then on;
   * - `'own-timeout'`: the connect has its own timer, as long as the acquire timeout, from the
   *   connect's start: landed before it, kept; still in flight then, abandoned and closed as it
   *   lands. (For an acquire that connects at once the two timers are one.)
   * Default `'kept'`.
   */
  readonly lateConnect?: LateConnect;
  /**
   * A check in flight when its acquire's deadline comes (`acquireTimeoutCovers:
   * 'wait-and-connect'` with an async validation): the one deadline bounds the check too, so the
   * acquire is rejected then, and the connection being checked
   * - `'kept'`: stays under check; it goes, when the check passes, to the first waiter or back to
   *   idle, and is closed when it fails (as for an aborted acquire);
   * - `'closed'`: is closed at the deadline, its capacity free at once for the first waiter.
   * A connect the pool opens for that acquire after a failed check is bounded by the same deadline,
   * as `lateConnect` says. Default `'kept'`.
   */
  readonly lateCheck?: LateCheck;
  /**
   * How the pool notices that a waiter's acquire timeout has come: by a timer per waiter, which
   * fires at the deadline (`'timer'`, the default), or by a loop that looks at the queue every
   * `everyMs` (`{ kind: 'poll', everyMs }`), which rejects a waiter on its first look at or after
   * the deadline: within `everyMs` of it. With `acquireTimeoutCovers: 'wait-and-connect'` the same
   * look gives up on a connect whose acquire's deadline has come.
   */
  readonly acquireTimeoutCheck?: AcquireTimeoutCheck;
  /**
   * What the pool does with a connection the server ends while it is idle (the `breakIdle` fault):
   * - `true`: it hears of it from the client's error or end event, closes and drops it at once,
   *   and never hands it out;
   * - `'unnoticed'`: it never hears of it. The connection stays idle, counted in `size` and `idle`,
   *   its expiry as before. Where the pool checks before lending (`validation`), the next check of
   *   it fails, as a failed validation does: it is closed and another tried. Where it checks
   *   nothing, an acquire gets it as any idle one, and a query on it fails;
   * - `false`: no break is drawn.
   */
  readonly brokenIdle: boolean | 'unnoticed';
  /**
   * close() and terminate() reject the acquires still waiting, with an error: when they are
   * called (`true`), or, for close(), only once the last connection in use is released
   * (`'after-last-release'`; the waiters get nothing meanwhile). `false`: close() does not.
   */
  readonly closeRejectsWaiters: boolean | 'after-last-release';
  /**
   * terminate() rejects the acquires still waiting, at once, where it differs from close().
   * Left out: as `closeRejectsWaiters` says (any value but `false` means yes).
   */
  readonly terminateRejectsWaiters?: boolean;
  /**
   * What close() does to an acquire whose connect is in flight: `'serves'` it (the connection lands,
   * the acquire gets it, and close waits for its release), or `'rejects'` it (the acquire is
   * rejected when close() is called; the connect goes on, and the connection is closed the instant
   * it lands). Left out: close is drawn only with no connect in flight, and the runner lets
   * connects land before its own close. Needs slowConnect. Where connects serve the queue head
   * (no acquire owns a connect), `'lands-idle'`: close lets each connect land, keeps its
   * connection idle for no waiter, and closes it with the idle ones; the waiters go as
   * `closeRejectsWaiters` says, a close that rejects them after the last release waiting for the
   * last landing too (tarn's `destroy()`).
   */
  readonly closeDuringConnect?: CloseDuringConnect;
  /**
   * What terminate() does to an acquire whose connect is in flight: `'rejects'` it when terminate()
   * is called, or rejects it only when the connect lands (`'rejects-on-landing'`); either way the
   * connection is closed the instant it lands. Left out: terminate is drawn only with no connect in
   * flight. Needs slowConnect. Where connects serve the queue head (no acquire owns a connect),
   * `'lands-idle'`: terminate() lets each connect land and closes its connection as it lands, with
   * the idle ones, and resolves only then; the waiters it rejects are kept until the last connect
   * has landed, since one of them might have been served (tarn's `destroy()`).
   */
  readonly terminateDuringConnect?: TerminateDuringConnect;
  /**
   * When a burst (acquires issued in one synchronous stretch) found idle connections, when the
   * connects for the rest of it start: inside each acquire call (`'in-call'`, the default: the own
   * pool), or once the whole burst was issued (`'after-burst'`: pg-pool queues every acquire while
   * it has idle clients and dispatches the queue on the next tick). It decides which timer was set
   * first, and so which fires first when a connect and a waiter's timeout fall due at one instant.
   */
  readonly burstConnects?: 'in-call' | 'after-burst';
  /**
   * Whom a connect serves when it lands. `'its-acquire'` (the default): the acquire that started
   * it, which waits for it apart from the queue (not counted in `waiting`). `'queue-head'`: the
   * connect is the pool's, not the acquire's. An acquire that finds no idle connection joins the
   * queue (counted in `waiting`) and the pool starts a connect while the queue outnumbers the
   * connects in flight and there is capacity; whichever connection comes first, a landing or a
   * release, serves the head of the queue, and a connect whose acquire gave up goes on for the next
   * (generic-pool, tarn, sequelize-pool). A connect in flight counts in `size` either way.
   */
  readonly connectServes?: ConnectServes;
  /**
   * Whether a `minFloor: 'size'` counts connects in flight (`true`, the default: sequelize-pool's
   * `size`, generic-pool's `_count`), or only connections open, in use or idle (`false`: tarn's
   * `check()` keeps `min - used.length` of its free ones, its pending creates left out). It
   * matters only while a connect is in flight beside an idle connection that comes due.
   */
  readonly connectsInFloor?: boolean;
  /**
   * Where connects serve the queue head, how many the pool starts each time it looks at its queue
   * (an acquire that finds no idle connection, a discard that frees capacity). `'shortfall'` (the
   * default): while the queue outnumbers the connects in flight and there is capacity (generic-pool's
   * `resourceShortfall`, tarn's `_shouldCreateMoreResources`). `'one-per-dispense'`: one, whenever
   * someone waits and there is capacity, whatever is in flight (sequelize-pool's `_dispense`), so a
   * connect whose acquire gave up does not stop the next acquire from starting its own, and the
   * spare one lands idle.
   */
  readonly queueConnects?: QueueConnects;
  /**
   * A pending acquire can be aborted (an `AbortSignal` passed to the adapter's `acquire`): while
   * it waits, while its connect is in flight, or while its connection is being validated. It is
   * rejected at once and never gets a connection; what it would have had goes to the next waiter,
   * or idle. `lateConnection` says what happens to a connection whose connect lands after its
   * acquire was aborted: `'closed'` at once, or kept `'idle'` (or handed to the first waiter).
   * Left out or `null`: no abort is generated.
   */
  readonly abort?: AbortCapability | null;
  /** A connection that fails its validation is closed at once and another tried (needs `validation`). */
  readonly failedValidation?: boolean;
  /**
   * A query (an async validation among them) that takes time keeps its caller pending until it
   * lands, while other commands run (needs `validation: 'async'`).
   */
  readonly slowQuery?: boolean;
}

/** See {@link Capabilities.abort}. */
export interface AbortCapability {
  readonly lateConnection: 'closed' | 'idle';
  /**
   * What becomes of a connection under an async check when its acquire is aborted: `'kept'` (the
   * default), it stays under check and goes, when the check passes, to the first waiter or back to
   * idle; `'closed'`, it is closed at once (tarn: the acquire's rejection aborts the validation's
   * `PendingOperation`, which counts as a failed check and destroys the resource, Pool.js:288-316).
   */
  readonly lateCheck?: LateCheck;
}

/**
 * Validation before hand-out. `'sync'` and `'async'` are shorthand for `{ check }`: the
 * connections checked are the idle ones an acquire takes. `alsoChecks` names more: `'released'`,
 * an open connection handed straight to the first waiter (at its release, or when the acquire it
 * was checked for was aborted), checked before that waiter gets it (generic-pool's `_dispense`
 * with `testOnBorrow`, tarn's `_doAcquire`: both hand a released resource over through the same
 * check as an idle one). `'opened'`, a connection just opened, checked before the head of the
 * queue gets it (tarn's `_create` pushes it free and `_doAcquire` validates it like any free
 * resource): one that fails is closed as it lands, never lent, and the pool looks at its queue
 * again (needs `connectServes: 'queue-head'`). Left out: `[]`, today's meaning.
 */
export type Validation = 'none' | 'sync' | 'async' | { readonly check: 'sync' | 'async'; readonly alsoChecks?: readonly AlsoValidated[]; readonly serves?: CheckServes };

/**
 * Whom a connection that passes its check goes to. `'its-acquire'` (left out): the acquire that
 * took it, as tarn's `_doAcquire` pairs them. `'queue-head'`: the check belongs to no acquire;
 * the acquires stay queued while it runs, and a connection that passes goes to whoever heads the
 * queue then, while a failed one is closed and the pool looks at its queue again within
 * microtasks (generic-pool's `_testOnBorrow`, Pool.js:166-192). Needs `check: 'async'`,
 * `alsoChecks: ['released', 'opened']` and `connectServes: 'queue-head'`.
 */
export type CheckServes = 'its-acquire' | 'queue-head';

/** The values `validation.serves` takes, for validation and messages. */
export const CHECK_SERVES: readonly CheckServes[] = ['its-acquire', 'queue-head'];

/** Whom a connection that passes its check goes to: see {@link CheckServes}. */
export function checkServesOf(s: Semantics): CheckServes {
  const v = s.validation ?? 'none';
  return typeof v === 'string' ? 'its-acquire' : (v.serves ?? 'its-acquire');
}

/** Connections a validating pool checks besides the idle ones an acquire takes: see {@link Validation}. */
export type AlsoValidated = 'released' | 'opened';

/** The values `alsoChecks` takes, for validation and messages. */
export const ALSO_VALIDATED: readonly AlsoValidated[] = ['released', 'opened'];

/** Whether the pool checks `which` connections as well as idle ones (never, without a validation). */
export function validatesAlso(s: Semantics, which: AlsoValidated): boolean {
  const v = s.validation ?? 'none';
  return typeof v !== 'string' && (v.alsoChecks ?? []).includes(which);
}

/** The declared validation as one value: `'none'`, `'sync'` or `'async'`. */
export function validationOf(s: Semantics): 'none' | 'sync' | 'async' {
  const v = s.validation ?? 'none';
  return typeof v === 'string' ? v : v.check;
}

/** The declared abort capability, or `null`. */
export function abortOf(s: Semantics): AbortCapability | null {
  return capabilitiesOf(s).abort ?? null;
}

/** What an acquire timeout bounds: the wait in the queue only, or the wait and the connect. */
export type AcquireTimeoutCovers = 'wait' | 'wait-and-connect';

/** What close() does to a connect in flight: see {@link Capabilities.closeDuringConnect}. */
export type CloseDuringConnect = 'serves' | 'rejects' | 'lands-idle';

/** What terminate() does to a connect in flight: see {@link Capabilities.terminateDuringConnect}. */
export type TerminateDuringConnect = 'rejects' | 'rejects-on-landing' | 'lands-idle';

/** How many connects a look at the queue starts: see {@link Capabilities.queueConnects}. */
export type QueueConnects = 'shortfall' | 'one-per-dispense';

/** How many connects a look at the queue starts, `'shortfall'` where it is not declared. */
export function queueConnectsOf(s: Semantics): QueueConnects {
  return capabilitiesOf(s).queueConnects ?? 'shortfall';
}

/** Whom a landing connect serves: see {@link Capabilities.connectServes}. */
export type ConnectServes = 'its-acquire' | 'queue-head';

/** Whom a landing connect serves, with the default filled in. */
export function connectServesOf(s: Semantics): ConnectServes {
  return capabilitiesOf(s).connectServes ?? 'its-acquire';
}

/** A loop that rejects the waiters whose acquire timeout has come, every `everyMs`. */
export interface PolledTimeoutCheck {
  readonly kind: 'poll';
  readonly everyMs: number;
}

/** How the acquire timeout is noticed: see {@link Capabilities.acquireTimeoutCheck}. */
export type AcquireTimeoutCheck = 'timer' | PolledTimeoutCheck;

/**
 * How long after its deadline a waiter may still be pending, where the pool polls for timeouts:
 * one interval (0 with a timer per waiter).
 */
export function timeoutPollMs(s: Semantics): number {
  const check = capabilitiesOf(s).acquireTimeoutCheck;
  return check === undefined || check === 'timer' ? 0 : check.everyMs;
}

/**
 * A failed connect the pool retries for its acquire. The failed connect frees its slot; the retry
 * is a connect begun `'at-once'` (as the failure is seen) or `{ afterMs: N }` later, serving as
 * `connectServes` says. The acquire keeps waiting, its timeout running. A refill's failed connect
 * is not retried (see docs/semantics.md, "A refill and a failed connect").
 */
export interface FailedConnectRetry {
  readonly retry: 'at-once' | { readonly afterMs: number };
  /**
   * Where connects serve the queue head and the retry waits `afterMs`: how many connects a look at
   * the queue (an acquire, the retry's timer) starts while a failure left the queue short.
   * `'shortfall'` (the default): as many as the queue outnumbers the connects in flight.
   * `'one'`: one (tarn's `_tryAcquireOrCreate`). Without a failure both start the same.
   */
  readonly perLook?: 'shortfall' | 'one';
  /**
   * Where connects serve the queue head: a connect still in flight this long after it began
   * fails. The pool stops counting it, closes its connection as it lands, and retries as for a
   * failed connect (tarn's `createTimeoutMillis`). Left out: a connect is waited for however long.
   */
  readonly connectTimeoutMs?: number;
  /**
   * Where the retry waits `afterMs`: the failure also rejects whoever heads the queue as it is
   * seen, and the retry's timer still looks at the queue for the acquires behind it, which wait
   * for that timer though the failure freed a slot (tarn's `propagateCreateError: true`). A
   * connect given up after `connectTimeoutMs` does the same. Left out (`false`): no acquire sees
   * the error.
   */
  readonly rejectsHead?: boolean;
}

/** What a failed connect does, resolved: see {@link Capabilities.failedConnect}. */
export type FailedConnectRule =
  | { readonly kind: 'off' }
  | { readonly kind: 'rejects' }
  | { readonly kind: 'retried'; readonly afterMs: number; readonly perLook: 'shortfall' | 'one'; readonly connectTimeoutMs: number | null; readonly rejectsHead: boolean };

/** The declared failed connect, resolved; `retry: 'at-once'` is an `afterMs` of 0. */
export function failedConnectOf(s: Semantics): FailedConnectRule {
  const failed = capabilitiesOf(s).failedConnect;
  if (failed === false) return { kind: 'off' };
  if (failed === true) return { kind: 'rejects' };
  return { kind: 'retried', afterMs: failed.retry === 'at-once' ? 0 : failed.retry.afterMs, perLook: failed.perLook ?? 'shortfall', connectTimeoutMs: failed.connectTimeoutMs ?? null, rejectsHead: failed.rejectsHead === true };
}

/** What happens to a connect whose acquire gave up first: see {@link Capabilities.lateConnect}. */
export type LateConnect = 'closed' | 'kept' | 'own-timeout';

/** What becomes of a connection under check when its acquire's deadline comes: see {@link Capabilities.lateCheck}. */
export type LateCheck = 'kept' | 'closed';

/** No waits, no faults: the commands of a pool that declares no capabilities. */
export const noCapabilities: Capabilities = {
  waiters: false,
  acquireTimeout: null,
  destroy: false,
  failedConnect: false,
  slowConnect: false,
  brokenIdle: false,
  closeRejectsWaiters: false,
};

/** When close() rejects the waiters: at once, after the last release, or never. */
export function closeRejectsWaitersOf(s: Semantics): 'at-once' | 'after-last-release' | 'never' {
  const rejects = capabilitiesOf(s).closeRejectsWaiters;
  return rejects === true ? 'at-once' : rejects === false ? 'never' : rejects;
}

/** What close() does to an acquire whose connect is in flight, or `null` where it is not declared. */
export function closeDuringConnectOf(s: Semantics): CloseDuringConnect | null {
  return capabilitiesOf(s).closeDuringConnect ?? null;
}

/** What terminate() does to an acquire whose connect is in flight, or `null` where it is not declared. */
export function terminateDuringConnectOf(s: Semantics): TerminateDuringConnect | null {
  return capabilitiesOf(s).terminateDuringConnect ?? null;
}

/** What a break of an idle connection does, resolved: see {@link Capabilities.brokenIdle}. */
export type BrokenIdle = 'dropped' | 'unnoticed' | 'off';

/** The declared `brokenIdle`, resolved: `true` is `'dropped'`, `false` is `'off'`. */
export function brokenIdleOf(s: Semantics): BrokenIdle {
  const broken = capabilitiesOf(s).brokenIdle;
  return broken === true ? 'dropped' : broken === 'unnoticed' ? 'unnoticed' : 'off';
}

/** Whether terminate() rejects the waiters, at once. */
export function terminateRejectsWaiters(s: Semantics): boolean {
  const caps = capabilitiesOf(s);
  return caps.terminateRejectsWaiters ?? caps.closeRejectsWaiters !== false;
}


/** One complete object per declared one: commands ask on every step, so it is built once. */
const complete = new WeakMap<Partial<Capabilities>, Capabilities>();

/**
 * The declared capabilities, every field filled in: a field left out (or undefined, from plain
 * JavaScript) is off. The one place a partial declaration is read; everything else asks here.
 *
 * @example
 * capabilitiesOf({ ...semantics, capabilities: { waiters: true } }).destroy; // false
 */
export function capabilitiesOf(s: Semantics): Capabilities {
  const declared = s.capabilities;
  if (declared === undefined) return noCapabilities;
  let caps = complete.get(declared);
  if (caps === undefined) {
    const filled: Record<string, unknown> = { ...noCapabilities };
    for (const [field, value] of Object.entries(declared)) if (value !== undefined) filled[field] = value;
    caps = filled as unknown as Capabilities;
    complete.set(declared, caps);
  }
  return caps;
}

/** The three min questions, each answered: what {@link normalizeMin} makes of a declaration. */
export interface MinSemantics {
  readonly floor: MinFloor;
  readonly refill: readonly MinRefill[];
  readonly opens: MinOpens;
}

/** The acquire timeout's rules, each answered: what {@link normalizeAcquireTimeout} makes of a declaration. */
export interface AcquireTimeoutRules {
  readonly covers: AcquireTimeoutCovers;
  readonly lateConnect: LateConnect;
  readonly lateCheck: LateCheck;
}

/*
 * Shorthand, normalised in one place: a small function per field, so that a declaration written
 * before a field existed keeps its meaning, and the model reads only the normalised answers.
 */

const MIN_SHORTHAND: Readonly<Record<NonNullable<Semantics['min']>, Pick<MinSemantics, 'floor' | 'refill'>>> = {
  ignored: { floor: 'none', refill: [] },
  floor: { floor: 'size', refill: [] },
  // What it always meant: expiry ignores min, and the pool opens back up to min after a
  // connection goes (generic-pool's `_ensureMinimum` in every `_destroy`).
  'floor-refill': { floor: 'none', refill: ['after-expiry', 'after-discard'] },
};

/**
 * The min floor, refill and first opening a declaration means: the fields where declared, else
 * the shorthand `min` and `opensMinOnCreate`, else no floor, no refill, never opened.
 */
export function normalizeMin(s: Semantics): MinSemantics {
  const short = s.min === undefined ? undefined : MIN_SHORTHAND[s.min];
  const opens = s.minOpens ?? (s.opensMinOnCreate === undefined ? 'never' : s.opensMinOnCreate ? 'on-create' : 'never');
  return { floor: s.minFloor ?? short?.floor ?? 'none', refill: s.minRefill ?? short?.refill ?? [], opens };
}

/** When a refill after a discard is decided: left out, as the connection is discarded. */
export function discardRefillOf(s: Semantics): DiscardRefill {
  return s.discardRefill ?? 'at-discard';
}

/** The acquire timeout's rules a declaration means: by default it bounds the wait only. */
export function normalizeAcquireTimeout(s: Semantics): AcquireTimeoutRules {
  const caps = capabilitiesOf(s);
  return { covers: caps.acquireTimeoutCovers ?? 'wait', lateConnect: caps.lateConnect ?? 'kept', lateCheck: caps.lateCheck ?? 'kept' };
}

/**
 * The declaration with every shorthand replaced by the fields it stands for, so two declarations
 * that mean the same compare equal.
 *
 * @example
 * normalizeSemantics({ ...asyncpgSemantics, min: 'floor' }).minFloor; // 'size'
 */
export function normalizeSemantics(s: Semantics): Semantics {
  const { min: _min, opensMinOnCreate: _opens, ...rest } = s;
  const min = normalizeMin(s);
  const timeout = normalizeAcquireTimeout(s);
  const capabilities = s.capabilities === undefined ? {} : { capabilities: { ...s.capabilities, acquireTimeoutCovers: timeout.covers, lateConnect: timeout.lateConnect } };
  return { ...rest, minFloor: min.floor, minRefill: min.refill, minOpens: min.opens, ...capabilities };
}

// The model asks on every step; a declaration is immutable data, so its answers are kept.
const minCache = new WeakMap<Semantics, MinSemantics>();
const timeoutCache = new WeakMap<Semantics, AcquireTimeoutRules>();

/** {@link normalizeMin}, remembered per declaration. */
export function minOf(s: Semantics): MinSemantics {
  let min = minCache.get(s);
  if (min === undefined) minCache.set(s, (min = normalizeMin(s)));
  return min;
}

/** {@link normalizeAcquireTimeout}, remembered per declaration. */
export function timeoutRulesOf(s: Semantics): AcquireTimeoutRules {
  let rules = timeoutCache.get(s);
  if (rules === undefined) timeoutCache.set(s, (rules = normalizeAcquireTimeout(s)));
  return rules;
}

/** The configuration of one run, drawn by the generators. */
export interface PoolConfig {
  readonly minSize: number;
  readonly maxSize: number;
  /** Idle lifetime in ms; 0 means whatever `Semantics.zeroLifetime` says. */
  readonly lifetimeMs: number;
  /**
   * How long an acquire waits at max before it is rejected, ms; left out: for ever. Drawn only for
   * pools that declare `capabilities.acquireTimeout`.
   */
  readonly acquireTimeoutMs?: number;
}

/** poolcheck's own pool in its default mode: asyncpg's semantics. */
export const asyncpgSemantics: Semantics = {
  expiry: { kind: 'timer' },
  armsOn: 'release-and-create',
  min: 'ignored',
  reuse: 'lifo',
  handoff: 'microtask',
  zeroLifetime: 'disables',
  opensMinOnCreate: true,
  capabilities: {
    waiters: true,
    acquireTimeout: 'optional',
    destroy: true,
    failedConnect: true,
    slowConnect: true,
    brokenIdle: true,
    closeRejectsWaiters: true,
    // Pool.close(): an acquire that holds a slot, even one still connecting, completes, and close
    // waits for its release.
    closeDuringConnect: 'serves',
  },
};

/*
 * Shorthands: older values stay valid and mean what they meant. Each field with a shorthand has
 * one small function here that resolves it, and the model reads only resolved values.
 */

/** The mechanism a pool hands an idle connection over with. */
export type Handoff = 'microtask' | 'immediate' | 'timeout';

/**
 * The declared hand-off, with the shorthand resolved. `macrotask` meant "the overdue expiry
 * timers run first", which the model predicted after every block; of the mechanisms, only a
 * `setTimeout(0)` does that after a block in every phase (a `setImmediate` beats the overdue
 * timers after a block in an I/O callback), so `macrotask` is `timeout`.
 */
export function normalizeHandoff(handoff: Semantics['handoff']): Handoff {
  return handoff === 'macrotask' ? 'timeout' : handoff;
}

/** What a lifetime of 0 means, resolved: `unstated` (the older `rejected`) is never drawn. */
export type ZeroLifetime = 'disables' | 'create-fails' | 'due-at-once' | ZeroLifetimeDefault | 'unstated';

/**
 * The declared meaning of a lifetime of 0, with the shorthand resolved. `rejected` was never
 * checked: the runner only kept 0 from such pools, whatever they would have done with it.
 */
export function normalizeZeroLifetime(zero: Semantics['zeroLifetime']): ZeroLifetime {
  return zero === 'rejected' ? 'unstated' : zero;
}

/**
 * The idle lifetime a run's connections have, in ms, or `null` when nothing expires. Only a
 * configured 0 needs the declaration; a pool that refuses 0 never gets this far.
 */
export function effectiveLifetime(config: PoolConfig, semantics: Semantics): number | null {
  if (config.lifetimeMs > 0) return config.lifetimeMs;
  const zero = normalizeZeroLifetime(semantics.zeroLifetime);
  if (zero === 'due-at-once') return 0;
  if (typeof zero === 'object') return zero.ms;
  return null;
}

/** The declared graceful close, with its default filled in. */
export function normalizeGracefulClose(close: Semantics['gracefulClose']): 'idle-at-once' | 'after-last-release' | IdleByTimerClose {
  return close ?? 'idle-at-once';
}

/** How long a graceful close may take to close an idle connection: 0 unless its own timer does it. */
export function closeWithinMs(semantics: Semantics): number {
  const close = normalizeGracefulClose(semantics.gracefulClose);
  return typeof close === 'object' ? close.withinMs : 0;
}

/** A one-line human description, used in violation messages ("declared: ..."). */
export function describeSemantics(s: Semantics): string {
  const trigger =
    s.expiry.kind === 'timer'
      ? 'per-connection timer'
      : `reaper every ${s.expiry.intervalMs} ms (${s.expiry.compare}, starts on ${s.expiry.startsOn})`;
  const also = validatesAlso(s, 'released') ? ' (also of a connection handed to a waiter)' : '';
  const validation = validationOf(s) === 'none' ? '' : `, ${validationOf(s)} validation${also}`;
  return `${trigger}, armed on ${s.armsOn}, ${describeMin(minOf(s))}, ${s.reuse.toUpperCase()}${validation}`;
}

/** `acquire timeout covers the wait and the connect; a late connect: own-timeout`, as messages print it. */
export function describeTimeoutRules(s: Semantics): string {
  const rules = timeoutRulesOf(s);
  const poll = timeoutPollMs(s);
  const polled = poll > 0 ? `, polled every ${poll} ms` : '';
  const check = validationOf(s) === 'async' ? `; a connection under check at the deadline: ${rules.lateCheck}` : '';
  return rules.covers === 'wait' ? `the acquire timeout covers the wait only${polled}` : `the acquire timeout covers the wait and the connect${polled}; a connect that lands after its acquire gave up: ${rules.lateConnect}${check}`;
}

/** `min floor on size, refilled after-discard, opened on create`, as violation messages print it. */
export function describeMin(m: MinSemantics): string {
  const floor = m.floor === 'none' ? 'no min floor' : `min floor on ${m.floor === 'size' ? 'open connections' : 'idle connections'}`;
  const refill = m.refill.length === 0 ? '' : `, refilled ${MIN_REFILLS.filter((r) => m.refill.includes(r)).join(' and ')}`;
  const opens = m.opens === 'never' ? '' : `, min opened ${m.opens === 'on-create' ? 'on create' : 'at the first acquire'}`;
  return `${floor}${refill}${opens}`;
}

/** `minSize 0, maxSize 1, lifetime 1 ms, acquire timeout 50 ms`, as reports print a configuration. */
export function describeConfig(c: PoolConfig): string {
  const timeout = c.acquireTimeoutMs === undefined ? '' : `, acquire timeout ${c.acquireTimeoutMs} ms`;
  return `minSize ${c.minSize}, maxSize ${c.maxSize}, lifetime ${c.lifetimeMs} ms${timeout}`;
}
