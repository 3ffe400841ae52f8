import type { Connection } from '../connectors/types.js';
import { asyncpgSemantics, capabilitiesOf, type Semantics } from '../model/semantics.js';
import { Pool, type PoolOptions } from '../pool/index.js';
import type { PoolAdapter } from './types.js';

export interface OwnAdapterOptions {
  /** Makes `minSize` a floor for expiry (the pool's `expiryRespectsMinSize`). Default false, as asyncpg. */
  readonly expiryRespectsMinSize?: boolean;
  /**
   * Gives the pool a `validate` hook: the connection's synchronous `isValid()` (`'sync'`) or its
   * `validate()` query (`'async'`). Default: none, as asyncpg.
   */
  readonly validation?: 'sync' | 'async';
  /** The pool's `closeAbortedConnects`: close a connection that lands for an aborted acquire. Default false. */
  readonly closeAbortedConnects?: boolean;
  /** Builds the pool; fixtures use it to swap in a deliberately broken subclass. */
  readonly makePool?: (options: PoolOptions<Connection>) => Pool<Connection>;
  readonly name?: string;
  /** Overrides the declared semantics, to show that a wrong declaration fails. */
  readonly semantics?: Semantics;
}

/**
 * What the own pool does with these options: asyncpg's semantics, with a min floor where
 * `expiryRespectsMinSize`; an acquire aborts through its signal (pool.ts `acquire`, `checkout`),
 * and a connection that lands for an aborted acquire is kept idle or closed (`abandoned`); the
 * `validate` hook checks a connection taken from the free stack, and on a failure the next free
 * slot with an open connection is tried, else the slot reconnects (`ready`).
 */
export function ownPoolSemantics(options: Pick<OwnAdapterOptions, 'expiryRespectsMinSize' | 'validation' | 'closeAbortedConnects'> = {}): Semantics {
  const validation = options.validation;
  return {
    ...asyncpgSemantics,
    ...(options.expiryRespectsMinSize === true ? { min: 'floor' as const } : {}),
    ...(validation === undefined ? {} : { validation }),
    capabilities: {
      ...capabilitiesOf(asyncpgSemantics),
      abort: { lateConnection: options.closeAbortedConnects === true ? 'closed' : 'idle' },
      ...(validation === undefined ? {} : { failedValidation: true, slowQuery: validation === 'async' }),
    },
  };
}

/** poolcheck's own pool: asyncpg's semantics, or a min floor with `expiryRespectsMinSize`. */
export function ownPoolAdapter(options: OwnAdapterOptions = {}): PoolAdapter<Pool<Connection>, Connection> {
  const floor = options.expiryRespectsMinSize ?? false;
  const makePool = options.makePool ?? ((o: PoolOptions<Connection>) => new Pool(o));
  const validation = options.validation;
  const closeAborted = options.closeAbortedConnects ?? false;
  const traits = [floor ? 'min floor' : '', validation === undefined ? '' : `${validation} validation`, closeAborted ? 'closes aborted connects' : ''].filter(Boolean);
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
        ...(config.acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs: config.acquireTimeoutMs }),
        ...(validation === undefined ? {} : { validate: validation === 'sync' ? (conn: Connection) => conn.isValid() : (conn: Connection) => conn.validate() }),
        ...(closeAborted ? { closeAbortedConnects: true } : {}),
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
