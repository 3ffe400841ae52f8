import type { Connection } from '../connectors/types.js';
import { asyncpgSemantics, capabilitiesOf, normalizeMin, type Semantics } from '../model/semantics.js';
import { Pool, type PoolMinRefill, type PoolOptions } from '../pool/index.js';
import type { PoolAdapter } from './types.js';

export interface OwnAdapterOptions {
  /** Makes `minSize` a floor for expiry (the pool's `expiryRespectsMinSize`). Default false, as asyncpg. */
  readonly expiryRespectsMinSize?: boolean;
  /**
   * Gives the pool a `validate` hook: the connection's synchronous `isValid()` (`'sync'`) or its
   * `validate()` query (`'async'`). Default: none, as asyncpg.
   */
  readonly validation?: 'sync' | 'async';
  /**
   * Also checks an open connection handed straight to a waiter (the pool's `validateHandoffs`),
   * declared as `validation: { check, alsoChecks: ['released'] }`. Needs `validation`. Default false.
   */
  readonly validateHandoffs?: boolean;
  /** The pool's `closeAbortedConnects`: close a connection that lands for an aborted acquire. Default false. */
  readonly closeAbortedConnects?: boolean;
  /**
   * When acquire takes an idle connection (the pool's `handoff` option), declared with the same
   * value. Default `'microtask'`, as asyncpg.
   */
  readonly handoff?: 'microtask' | 'immediate' | 'timeout';
  /**
   * close() leaves idle connections to a timer this many ms later (the pool's `closeIdleAfterMs`),
   * declared as `gracefulClose: { kind: 'idle-by-timer', withinMs }`. Default 0: at once.
   */
  readonly closeIdleAfterMs?: number;
  /**
   * close() rejects an acquire whose connection is still opening and closes the connection as it
   * lands (the pool's `closeRejectsConnects`), declared as `closeDuringConnect: 'rejects'`.
   * Default false: it serves it, as asyncpg.
   */
  readonly closeRejectsConnects?: boolean;
  /**
   * The pool's `acquireTimeoutPollMs`: a loop every this many ms rejects the waiters whose timeout
   * has come, declared as `acquireTimeoutCheck: { kind: 'poll', everyMs }`. Default 0: a timer per
   * waiter.
   */
  readonly acquireTimeoutPollMs?: number;
  /**
   * The pool's `acquireTimeoutCoversConnect`: one deadline over the wait and the connect, a connect
   * still in flight then abandoned and closed as it lands, declared as `acquireTimeoutCovers:
   * 'wait-and-connect'` with `lateConnect: 'closed'`. Default false: the wait only, as asyncpg.
   */
  readonly acquireTimeoutCoversConnect?: boolean;
  /**
   * The pool's `closeTimedOutChecks` (with `acquireTimeoutCoversConnect` and `validation: 'async'`):
   * a connection under check at its acquire's deadline is closed then, declared as `lateCheck:
   * 'closed'`. Default false: the check goes on (`lateCheck: 'kept'`).
   */
  readonly closeTimedOutChecks?: boolean;
  /** What that floor counts (the pool's `minFloorCounts`): open connections (default) or idle ones only. */
  readonly minFloorCounts?: 'size' | 'idle';
  /** When the pool opens connections back up to min (the pool's `minRefill`), declared as `minRefill`. Default `[]`. */
  readonly minRefill?: readonly PoolMinRefill[];
  /**
   * The pool's `refillWhenClosed` (with `'after-discard'` in `minRefill`): the refill after a
   * discard is decided once the close has completed, declared as `discardRefill: 'when-closed'`.
   */
  readonly refillWhenClosed?: boolean;
  /** When the pool first opens min (the pool's `minOpens`), declared as `minOpens`. Default `'on-create'`. */
  readonly minOpens?: 'on-create' | 'first-acquire' | 'never';
  /** The pool's `ignoresBreaks`, declared as `brokenIdle: 'unnoticed'`. Default false. */
  readonly ignoresBreaks?: boolean;
  /** Builds the pool; fixtures use it to swap in a deliberately broken subclass. */
  readonly makePool?: (options: PoolOptions<Connection>) => Pool<Connection>;
  readonly name?: string;
  /** Overrides the declared semantics, to show that a wrong declaration fails. */
  readonly semantics?: Semantics;
}

/** asyncpg's semantics with a min floor counting `counts`. */
function floorSemantics(counts: 'size' | 'idle'): Semantics {
  const { min: _min, ...rest } = asyncpgSemantics;
  return counts === 'size' ? { ...asyncpgSemantics, min: 'floor' } : { ...rest, minFloor: 'idle', minRefill: [] };
}

/**
 * What the own pool does with these options: asyncpg's semantics, with a min floor (counting
 * open or idle connections) where `expiryRespectsMinSize`; the hand-off and close timer as set;
 * an acquire aborts through its signal (pool.ts `acquire`, `checkout`), and a connection that
 * lands for an aborted acquire is kept idle or closed (`abandoned`); the `validate` hook checks a
 * connection taken from the free stack, and on a failure the next free slot with an open
 * connection is tried, else the slot reconnects (`ready`).
 */
export function ownPoolSemantics(options: Omit<OwnAdapterOptions, 'makePool' | 'name' | 'semantics'> = {}): Semantics {
  const validation = options.validation;
  const closeIdleAfterMs = options.closeIdleAfterMs ?? 0;
  const pollMs = options.acquireTimeoutPollMs ?? 0;
  const base = options.expiryRespectsMinSize === true ? floorSemantics(options.minFloorCounts ?? 'size') : asyncpgSemantics;
  const refills = refillSemantics(base, options);
  return {
    ...base,
    ...refills.fields,
    handoff: options.handoff ?? 'microtask',
    ...(closeIdleAfterMs === 0 ? {} : { gracefulClose: { kind: 'idle-by-timer' as const, withinMs: closeIdleAfterMs } }),
    // `ready` checks what the acquire took from the free stack, and with validateHandoffs what a
    // waiter was granted open (`acquire`, after `waiter.promise`).
    ...(validation === undefined ? {} : { validation: options.validateHandoffs === true ? { check: validation, alsoChecks: ['released' as const] } : validation }),
    capabilities: {
      ...capabilitiesOf(asyncpgSemantics),
      abort: { lateConnection: options.closeAbortedConnects === true ? 'closed' : 'idle' },
      // close() rejects the acquires in `connectsToReject` (pool.ts `rejectConnects`); each
      // connection lands on the closing pool, which closes it (`abandoned`, `giveBack`).
      ...(options.closeRejectsConnects === true ? { closeDuringConnect: 'rejects' as const } : {}),
      // terminate() rejects those acquires at once with closeRejectsConnects (pool.ts
      // `terminate`, `rejectConnects`); else the connect lands on the terminated pool, which
      // closes the connection and rejects its acquire then (`openConnection`, `closeLanded`).
      terminateDuringConnect: options.closeRejectsConnects === true ? 'rejects' : 'rejects-on-landing',
      // pollTimeouts(), run by setInterval(acquireTimeoutPollMs) while a waiter has a timeout.
      ...(pollMs === 0 ? {} : { acquireTimeoutCheck: { kind: 'poll' as const, everyMs: pollMs } }),
      // checkout() watches the acquire's deadline while its slot connects (a timer, or the poll
      // loop); connectAbandoned() frees the slot then, and lateConnectLanded() closes the connection.
      ...(options.acquireTimeoutCoversConnect === true ? { acquireTimeoutCovers: 'wait-and-connect' as const, lateConnect: 'closed' as const } : {}),
      // The same deadline bounds a check in flight (checkout() points it at the check `ready` is
      // awaiting): the check goes on and `abandoned` gives back what it yields, or, with
      // closeTimedOutChecks, checkAbandoned() closes the connection and frees its slot at once.
      ...(options.acquireTimeoutCoversConnect === true && validation === 'async' ? { lateCheck: options.closeTimedOutChecks === true ? 'closed' as const : 'kept' as const } : {}),
      ...(validation === undefined ? {} : { failedValidation: true, slowQuery: validation === 'async' }),
      // With ignoresBreaks no `onBreak` listener is registered (pool.ts `listenForBreak`): a broken
      // idle connection stays in the free stack, and `ready` checks it as any, or lends it.
      ...(options.ignoresBreaks === true ? { brokenIdle: 'unnoticed' as const } : {}),
      ...refills.capabilities,
    },
  };
}

/**
 * The min fields for the pool's `minRefill` and `minOpens` (pool.ts `acquireTook`, `openToMin`):
 * left as the shorthand where both are at their defaults. A failed connect stays on: the refill
 * runs once the synchronous stretch is over (`queueRefill`), counting the connects then in flight
 * (`refillCount`, `getSize`), and a failed one gives its slot back without another refill
 * (`refillSlot`, `onConnectFailed`). So do slow connects: a refill's first connect takes the delay,
 * and an acquire's refill begins as the acquire takes its slot (`acquireTook`), before its own
 * slow connect lands.
 */
function refillSemantics(base: Semantics, options: Pick<OwnAdapterOptions, 'minRefill' | 'minOpens' | 'refillWhenClosed'>): { fields: object; capabilities: object } {
  const refill = options.minRefill ?? [];
  const opens = options.minOpens ?? 'on-create';
  if (refill.length === 0 && opens === 'on-create') return { fields: {}, capabilities: {} };
  const { min: _min, opensMinOnCreate: _opens, ...rest } = base;
  const floor = normalizeMin(base).floor;
  // `refillAfterDiscard` awaits the close `closeConnection` began before `queueRefill`.
  const decided = options.refillWhenClosed === true ? { discardRefill: 'when-closed' as const } : {};
  const fields = { ...rest, minFloor: floor, minRefill: [...refill], minOpens: opens, ...decided };
  return { fields: { ...fields, min: undefined, opensMinOnCreate: undefined }, capabilities: {} };
}

/** poolcheck's own pool: asyncpg's semantics, with the options above. */
export function ownPoolAdapter(options: OwnAdapterOptions = {}): PoolAdapter<Pool<Connection>, Connection> {
  const floor = options.expiryRespectsMinSize ?? false;
  const handoff = options.handoff ?? 'microtask';
  const closeIdleAfterMs = options.closeIdleAfterMs ?? 0;
  const counts = options.minFloorCounts ?? 'size';
  const validation = options.validation;
  const closeAborted = options.closeAbortedConnects ?? false;
  const closeRejects = options.closeRejectsConnects ?? false;
  const pollMs = options.acquireTimeoutPollMs ?? 0;
  const coversConnect = options.acquireTimeoutCoversConnect ?? false;
  const makePool = options.makePool ?? ((o: PoolOptions<Connection>) => new Pool(o));
  const traits = [
    floor ? (counts === 'idle' ? 'min floor on idle' : 'min floor') : '',
    handoff === 'microtask' ? '' : `hands over in a ${handoff === 'immediate' ? 'setImmediate' : 'setTimeout(0)'}`,
    validation === undefined ? '' : `${validation} validation${options.validateHandoffs === true ? ' (also of hand-offs)' : ''}`,
    closeAborted ? 'closes aborted connects' : '',
    closeRejects ? 'close rejects connects' : '',
    pollMs === 0 ? '' : `polls acquire timeouts every ${pollMs} ms`,
    coversConnect ? `acquire timeout covers the connect${validation === 'async' ? ` and the check${options.closeTimedOutChecks === true ? ', closing it' : ''}` : ''}` : '',
    (options.minRefill ?? []).length === 0 ? '' : `refills ${(options.minRefill ?? []).join(', ')}`,
    options.refillWhenClosed === true ? 'refills when closed' : '',
    (options.minOpens ?? 'on-create') === 'on-create' ? '' : `opens min ${options.minOpens === 'never' ? 'never' : 'at the first acquire'}`,
    options.ignoresBreaks === true ? 'ignores breaks' : '',
  ].filter(Boolean);
  return {
    name: options.name ?? (traits.length === 0 ? 'own' : `own (${traits.join(', ')})`),
    semantics: options.semantics ?? ownPoolSemantics(options),
    create: ({ config, connector }) =>
      makePool({
        connect: () => connector.connect(),
        minSize: config.minSize,
        maxSize: config.maxSize,
        maxInactiveConnectionLifetimeMs: config.lifetimeMs,
        expiryRespectsMinSize: floor,
        handoff,
        closeIdleAfterMs,
        minFloorCounts: counts,
        ...(config.acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs: config.acquireTimeoutMs }),
        ...(validation === undefined ? {} : { validate: validation === 'sync' ? (conn: Connection) => conn.isValid() : (conn: Connection) => conn.validate() }),
        ...(options.validateHandoffs === true ? { validateHandoffs: true } : {}),
        ...(closeAborted ? { closeAbortedConnects: true } : {}),
        ...(closeRejects ? { closeRejectsConnects: true } : {}),
        ...(pollMs === 0 ? {} : { acquireTimeoutPollMs: pollMs }),
        ...(coversConnect ? { acquireTimeoutCoversConnect: true } : {}),
        ...(options.closeTimedOutChecks === true ? { closeTimedOutChecks: true } : {}),
        ...(options.minRefill === undefined ? {} : { minRefill: options.minRefill }),
        ...(options.refillWhenClosed === true ? { refillWhenClosed: true } : {}),
        ...(options.minOpens === undefined ? {} : { minOpens: options.minOpens }),
        ...(options.ignoresBreaks === true ? { ignoresBreaks: true } : {}),
      }).start(),
    acquire: (pool, options) => pool.acquire(options?.signal === undefined ? {} : { signal: options.signal }),
    release: (pool, conn) => pool.release(conn),
    destroy: (pool, conn) => pool.destroy(conn),
    query: (_pool, conn, sql) => conn.query(sql),
    connectionId: (conn) => conn.id,
    counters: (pool) => ({ idle: pool.getIdleSize(), size: pool.getSize(), waiting: pool.getWaitingCount() }),
    close: (pool) => pool.close(),
    terminate: (pool) => pool.terminate(),
  };
}
