import type { Connection } from '../connectors/types.js';
import { PoolOptionsError } from './errors.js';

/** Options of poolcheck's own pool. Names and defaults follow asyncpg's `create_pool`. */
export interface PoolOptions<C extends Connection = Connection> {
  /** Opens one connection, for example a connector's `connect`. */
  connect: () => Promise<C>;
  /** Connections opened by `createPool` before it resolves. Default 0. */
  minSize?: number;
  /** Number of slots, so the most connections open at once. Default 10. */
  maxSize?: number;
  /** An idle connection is closed this long after its release (or creation). 0 disables expiry. Default 300 000. */
  maxInactiveConnectionLifetimeMs?: number;
  /**
   * Default false, as in asyncpg, where expiry ignores `minSize`. When true, an expiry that fires
   * while `getSize() <= minSize` keeps the connection open, idle and without a timer until it is
   * next acquired and released.
   */
  expiryRespectsMinSize?: boolean;
  /**
   * What that floor counts: `'size'` (default), open connections, in use or not; `'idle'`, idle
   * ones only, so an expiry keeps its connection while no more than `minSize` are idle, however
   * many are in use.
   */
  minFloorCounts?: 'size' | 'idle';
  /** How long `acquire()` waits for a free slot. Default: forever. `acquire({ timeoutMs })` overrides it. */
  acquireTimeoutMs?: number;
  /**
   * Checks an idle connection before lending it (a flag, or a query it awaits). A connection for
   * which it returns false is closed, and the next idle one is tried, else a new one opened.
   * Default: none, as in asyncpg. A new connection, or one handed to a waiter at its release, is
   * not checked.
   */
  validate?: (conn: C) => boolean | Promise<boolean>;
  /**
   * Default false. When true (with `validate`), an open connection handed straight to a waiter,
   * at its release or when the acquire it was checked for was aborted, is checked before the
   * waiter gets it, as generic-pool (`testOnBorrow`) and tarn (`validate`) do: one that fails is
   * closed and a new one opened for the waiter. A connection just opened (a refill's, or one
   * that landed for an aborted acquire) goes to the waiter unchecked.
   */
  validateHandoffs?: boolean;
  /**
   * What happens to a connection whose connect lands after its acquire was aborted: kept, as if
   * released (`false`, the default), or closed at once (`true`).
   */
  closeAbortedConnects?: boolean;
  /**
   * When `acquire()` takes a free slot: synchronously in the call (`'microtask'`, the default: the
   * caller resumes in a microtask, as in asyncpg), or after a `setImmediate` (`'immediate'`) or a
   * `setTimeout(0)` (`'timeout'`), as pools that defer their dispatch do. After a blocked loop this
   * decides whether the acquire beats the expiry timers that came due during the block.
   */
  handoff?: 'microtask' | 'immediate' | 'timeout';
  /**
   * Default 0: close() closes idle connections at once. Otherwise close() leaves them to a timer
   * that closes them this many ms later (a connection released meanwhile is closed at once), and
   * resolves after it.
   */
  closeIdleAfterMs?: number;
  /**
   * What close() does to an acquire whose connection is still opening: lets it finish, and waits
   * for its release (`false`, the default, as asyncpg), or rejects it at once and closes the
   * connection as it lands (`true`). With `true`, terminate() also rejects it at once, instead of
   * when the connection lands.
   */
  closeRejectsConnects?: boolean;
  /**
   * Default 0: each waiter's acquire timeout is its own timer. Otherwise a loop that runs every
   * this many ms, while some waiter has a timeout, rejects the waiters whose timeout has come, as
   * pools that sweep their queue from a periodic check do: a waiter is rejected within this many
   * ms after its deadline.
   */
  acquireTimeoutPollMs?: number;
  /**
   * Default false: the acquire timeout bounds the wait for a slot only, as in asyncpg. When true,
   * it is one deadline from the acquire's call over the wait and the connect: an acquire whose
   * connect is still in flight at its deadline (or, with `acquireTimeoutPollMs`, at the first poll
   * after it) is rejected, its slot is free at once for the next waiter, and the connection is
   * closed as it lands. With `validate`, the same deadline bounds a check in flight (its acquire is
   * rejected then; see `closeTimedOutChecks`) and a connect opened after a failed check.
   */
  acquireTimeoutCoversConnect?: boolean;
  /**
   * With `acquireTimeoutCoversConnect` and `validate`: what becomes of a connection still under
   * check at its acquire's deadline. `false` (the default): the check goes on, and the connection
   * then goes to the next waiter or back to the free stack (closed if it fails), as for an aborted
   * acquire. `true`: it is closed at the deadline and its slot goes on at once, as asyncpg closes a
   * connection whose `setup` was cancelled by `acquire(timeout=...)`.
   */
  closeTimedOutChecks?: boolean;
  /**
   * When the pool opens connections back up to `minSize` on its own (counted as the floor counts:
   * idle ones with `expiryRespectsMinSize` and `minFloorCounts: 'idle'`, else open ones and
   * connects in flight; never beyond `maxSize`): after an expiry (`'after-expiry'`), after a
   * discarded, broken or failed-validation connection (`'after-discard'`), after an acquire
   * (`'at-acquire'`: as it takes its slot, with the connection it checks, or its connect, begun). Default `[]`: never, as in asyncpg. The new connections open once the
   * current synchronous stretch is over (a burst of acquires counts as one), idle, with their
   * expiry armed, on top of the free stack.
   */
  minRefill?: readonly PoolMinRefill[];
  /**
   * With `minRefill` containing `'after-discard'`: decide that refill once the discarded
   * connection's close has completed, as sequelize-pool does, rather than as it is discarded
   * (the default, false). A connect refused meanwhile no longer counts then.
   */
  refillWhenClosed?: boolean;
  /**
   * When the pool first opens its `minSize` connections: as it starts (`'on-create'`, the
   * default, as asyncpg), at the first acquire (`'first-acquire'`: that acquire's own connection
   * counts), or never (`'never'`).
   */
  minOpens?: 'on-create' | 'first-acquire' | 'never';
  /**
   * Default false: the pool listens for the server ending a connection, and closes an idle one
   * at once (a lent one when it comes back). When true, it never listens, as generic-pool, tarn
   * and sequelize-pool do: a connection the server ended stays idle until `validate` finds it so
   * at the next acquire, or, without one, is lent as it is and its query fails.
   */
  ignoresBreaks?: boolean;
}

/** An event after which the own pool opens connections back up to `minSize`: see {@link PoolOptions.minRefill}. */
export type PoolMinRefill = 'after-expiry' | 'after-discard' | 'at-acquire';

const POOL_MIN_REFILLS: readonly PoolMinRefill[] = ['after-expiry', 'after-discard', 'at-acquire'];

/** Options after validation, with every default filled in. */
export interface ResolvedPoolOptions<C extends Connection = Connection> {
  readonly connect: () => Promise<C>;
  readonly minSize: number;
  readonly maxSize: number;
  readonly maxInactiveConnectionLifetimeMs: number;
  readonly expiryRespectsMinSize: boolean;
  readonly minFloorCounts: 'size' | 'idle';
  readonly acquireTimeoutMs: number | undefined;
  readonly validate: ((conn: C) => boolean | Promise<boolean>) | undefined;
  readonly validateHandoffs: boolean;
  readonly closeAbortedConnects: boolean;
  readonly handoff: 'microtask' | 'immediate' | 'timeout';
  readonly closeIdleAfterMs: number;
  readonly closeRejectsConnects: boolean;
  readonly acquireTimeoutPollMs: number;
  readonly acquireTimeoutCoversConnect: boolean;
  readonly closeTimedOutChecks: boolean;
  readonly minRefill: readonly PoolMinRefill[];
  readonly refillWhenClosed: boolean;
  readonly minOpens: 'on-create' | 'first-acquire' | 'never';
  readonly ignoresBreaks: boolean;
}

const KNOWN_OPTIONS: readonly string[] = [
  'connect',
  'minSize',
  'maxSize',
  'maxInactiveConnectionLifetimeMs',
  'expiryRespectsMinSize',
  'minFloorCounts',
  'acquireTimeoutMs',
  'validate',
  'validateHandoffs',
  'closeAbortedConnects',
  'handoff',
  'closeIdleAfterMs',
  'acquireTimeoutPollMs',
  'acquireTimeoutCoversConnect',
  'closeTimedOutChecks',
  'closeRejectsConnects',
  'minRefill',
  'refillWhenClosed',
  'minOpens',
  'ignoresBreaks',
];

/** setTimeout fires after 1 ms for any longer delay (and fake timers copy that), so larger values would lie. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Validates `options` and fills in the defaults. Throws a {@link PoolOptionsError} naming the fix. */
export function resolvePoolOptions<C extends Connection>(options: PoolOptions<C>): ResolvedPoolOptions<C> {
  if (typeof options !== 'object' || options === null) {
    throw new PoolOptionsError(`options must be an object with at least a connect function, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new PoolOptionsError(`unknown option "${key}"; known options are ${KNOWN_OPTIONS.join(', ')}`);
    }
  }
  const { connect } = options;
  if (typeof connect !== 'function') {
    throw new PoolOptionsError(`connect must be a function returning a Promise of a connection, got ${show(connect)}`);
  }
  const minSize = integer('minSize', options.minSize, 0, 0, 'an integer >= 0');
  const maxSize = integer('maxSize', options.maxSize, 10, 1, 'an integer >= 1');
  if (minSize > maxSize) {
    throw new PoolOptionsError(`minSize (${minSize}) must not exceed maxSize (${maxSize}); lower minSize or raise maxSize`);
  }
  const lifetime = milliseconds(
    'maxInactiveConnectionLifetimeMs',
    options.maxInactiveConnectionLifetimeMs,
    '(0 disables expiry)',
  );
  const expiryRespectsMinSize = flag('expiryRespectsMinSize', options.expiryRespectsMinSize);
  const minFloorCounts = options.minFloorCounts ?? 'size';
  if (minFloorCounts !== 'size' && minFloorCounts !== 'idle') {
    throw new PoolOptionsError(`minFloorCounts must be "size" or "idle", got ${show(minFloorCounts)}`);
  }
  const acquireTimeoutMs =
    options.acquireTimeoutMs === undefined
      ? undefined
      : milliseconds('acquireTimeoutMs', options.acquireTimeoutMs, '(omit it to wait forever)');
  const { validate } = options;
  if (validate !== undefined && typeof validate !== 'function') {
    throw new PoolOptionsError(`validate must be a function of a connection returning true or false (or a Promise of it), got ${show(validate)}; omit it to lend connections unchecked`);
  }
  const validateHandoffs = flag('validateHandoffs', options.validateHandoffs);
  if (validateHandoffs && validate === undefined) {
    throw new PoolOptionsError('validateHandoffs is true but there is no validate function; pass validate, or leave validateHandoffs out');
  }
  const closeAbortedConnects = flag('closeAbortedConnects', options.closeAbortedConnects);
  const closeRejectsConnects = flag('closeRejectsConnects', options.closeRejectsConnects);
  const handoff = options.handoff ?? 'microtask';
  if (handoff !== 'microtask' && handoff !== 'immediate' && handoff !== 'timeout') {
    throw new PoolOptionsError(`handoff must be "microtask", "immediate" or "timeout", got ${show(handoff)}`);
  }
  const minRefill = options.minRefill ?? [];
  if (!Array.isArray(minRefill) || minRefill.some((r) => !POOL_MIN_REFILLS.includes(r)) || new Set(minRefill).size !== minRefill.length) {
    throw new PoolOptionsError(`minRefill must be a list of distinct values among ${POOL_MIN_REFILLS.map((r) => JSON.stringify(r)).join(', ')} ([] for never), got ${Array.isArray(minRefill) ? JSON.stringify(minRefill) : show(minRefill)}`);
  }
  const refillWhenClosed = flag('refillWhenClosed', options.refillWhenClosed);
  if (refillWhenClosed && !minRefill.includes('after-discard')) {
    throw new PoolOptionsError('refillWhenClosed says when a refill after a discard is decided; add "after-discard" to minRefill, or leave refillWhenClosed out');
  }
  const acquireTimeoutCoversConnect = flag('acquireTimeoutCoversConnect', options.acquireTimeoutCoversConnect);
  const closeTimedOutChecks = flag('closeTimedOutChecks', options.closeTimedOutChecks);
  if (closeTimedOutChecks && (!acquireTimeoutCoversConnect || validate === undefined)) {
    throw new PoolOptionsError('closeTimedOutChecks says what an acquire deadline does to a check in flight; pass acquireTimeoutCoversConnect: true and validate with it, or leave it out');
  }
  const minOpens = options.minOpens ?? 'on-create';
  if (minOpens !== 'on-create' && minOpens !== 'first-acquire' && minOpens !== 'never') {
    throw new PoolOptionsError(`minOpens must be "on-create", "first-acquire" or "never", got ${show(minOpens)}`);
  }
  return {
    connect,
    validate,
    validateHandoffs,
    minRefill: [...minRefill],
    refillWhenClosed,
    minOpens,
    closeAbortedConnects,
    minSize,
    maxSize,
    maxInactiveConnectionLifetimeMs: lifetime ?? 300_000,
    expiryRespectsMinSize,
    minFloorCounts,
    acquireTimeoutMs,
    handoff,
    closeIdleAfterMs: milliseconds('closeIdleAfterMs', options.closeIdleAfterMs, '(0 closes idle connections at once)') ?? 0,
    closeRejectsConnects,
    acquireTimeoutCoversConnect,
    closeTimedOutChecks,
    ignoresBreaks: flag('ignoresBreaks', options.ignoresBreaks),
    acquireTimeoutPollMs: milliseconds('acquireTimeoutPollMs', options.acquireTimeoutPollMs, '(0 gives each waiter its own timer)') ?? 0,
  };
}

/**
 * Validates a duration. Whole milliseconds only: timers truncate fractions, which would make
 * expiry drift from `release + lifetime`.
 */
export function milliseconds(
  name: string,
  value: unknown,
  hint: string,
  Failure: new (message: string) => Error = PoolOptionsError,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new Failure(
      `${name} must be an integer number of milliseconds from 0 to ${MAX_TIMER_MS} ${hint}, got ${show(value)}`,
    );
  }
  return value;
}

/** An on/off option: false when left out (or null). */
function flag(name: string, value: unknown): boolean {
  const on = value ?? false;
  if (typeof on !== 'boolean') throw new PoolOptionsError(`${name} must be true or false, got ${show(on)}`);
  return on;
}

function integer(name: string, value: unknown, fallback: number, min: number, rule: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new PoolOptionsError(`${name} must be ${rule}, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
