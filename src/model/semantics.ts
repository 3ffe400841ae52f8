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
}

export type ExpiryTrigger = TimerExpiry | ReaperExpiry;

export interface Semantics {
  readonly expiry: ExpiryTrigger;
  /** What starts a connection's idle clock: only a release, or also its creation. */
  readonly armsOn: 'release' | 'release-and-create';
  /** Whether expiry keeps `minSize` connections: ignored, a floor, or a floor that refills. */
  readonly min: 'ignored' | 'floor' | 'floor-refill';
  /** Which idle connection an acquire gets: the most recently released, or the longest idle. */
  readonly reuse: 'lifo' | 'fifo';
  /**
   * How an acquire that finds an idle connection gets it. `microtask`: an acquire issued when a
   * blocked loop wakes beats the overdue expiry timers; `macrotask`: the overdue timers run first.
   */
  readonly handoff: 'microtask' | 'macrotask';
  /** What a lifetime of 0 means. */
  readonly zeroLifetime: 'disables' | 'rejected';
  /** Whether the pool opens `minSize` connections when it is created. */
  readonly opensMinOnCreate: boolean;
  /**
   * When a graceful close closes idle connections: at once, with each in-use one closed at its
   * release (`'idle-at-once'`, the default), or all together once the last in-use one is released
   * (`'after-last-release'`).
   */
  readonly gracefulClose?: 'idle-at-once' | 'after-last-release';
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
   */
  readonly capabilities?: Capabilities;
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
  /** A failed connect rejects the acquire that asked for it, and frees its capacity. */
  readonly failedConnect: boolean;
  /**
   * A connect that takes time keeps its acquire pending until it lands. Meanwhile the connection
   * being opened takes capacity and counts in `size`, but not in `idle` or `waiting`, and the
   * acquire timeout does not cut it short.
   */
  readonly slowConnect: boolean;
  /**
   * A connection the server ends while it is idle is closed and dropped at once, on the client's
   * error or end event; it is never handed out.
   */
  readonly brokenIdle: boolean;
  /** close() and terminate() reject the acquires still waiting, with an error. */
  readonly closeRejectsWaiters: boolean;
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
}

/**
 * Validation before hand-out. `'sync'` and `'async'` are shorthand for `{ check }` with the
 * connections checked being the idle ones an acquire takes (not a new connection, not one handed
 * to a waiter as it is released).
 */
export type Validation = 'none' | 'sync' | 'async' | { readonly check: 'sync' | 'async' };

/** The declared validation as one value: `'none'`, `'sync'` or `'async'`. */
export function validationOf(s: Semantics): 'none' | 'sync' | 'async' {
  const v = s.validation ?? 'none';
  return typeof v === 'string' ? v : v.check;
}

/** The declared abort capability, or `null`. */
export function abortOf(s: Semantics): AbortCapability | null {
  return capabilitiesOf(s).abort ?? null;
}

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

/** The declared capabilities, or none. */
export function capabilitiesOf(s: Semantics): Capabilities {
  return s.capabilities ?? noCapabilities;
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
  },
};

/** A one-line human description, used in violation messages ("declared: ..."). */
export function describeSemantics(s: Semantics): string {
  const trigger =
    s.expiry.kind === 'timer'
      ? 'per-connection timer'
      : `reaper every ${s.expiry.intervalMs} ms (${s.expiry.compare}, starts on ${s.expiry.startsOn})`;
  const min = s.min === 'ignored' ? 'min ignored' : s.min === 'floor' ? 'min as floor' : 'min as floor with refill';
  const validation = validationOf(s) === 'none' ? '' : `, ${validationOf(s)} validation`;
  return `${trigger}, armed on ${s.armsOn}, ${min}, ${s.reuse.toUpperCase()}${validation}`;
}

/** `minSize 0, maxSize 1, lifetime 1 ms, acquire timeout 50 ms`, as reports print a configuration. */
export function describeConfig(c: PoolConfig): string {
  const timeout = c.acquireTimeoutMs === undefined ? '' : `, acquire timeout ${c.acquireTimeoutMs} ms`;
  return `minSize ${c.minSize}, maxSize ${c.maxSize}, lifetime ${c.lifetimeMs} ms${timeout}`;
}
