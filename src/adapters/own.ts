import type { Connection } from '../connectors/types.js';
import { asyncpgSemantics, type Semantics } from '../model/semantics.js';
import { Pool, type PoolOptions } from '../pool/index.js';
import type { PoolAdapter } from './types.js';

export interface OwnAdapterOptions {
  /** Makes `minSize` a floor for expiry (the pool's `expiryRespectsMinSize`). Default false, as asyncpg. */
  readonly expiryRespectsMinSize?: boolean;
  /** What that floor counts (the pool's `minFloorCounts`): open connections (default) or idle ones only. */
  readonly minFloorCounts?: 'size' | 'idle';
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

/** poolcheck's own pool: asyncpg's semantics, or a min floor with `expiryRespectsMinSize`. */
export function ownPoolAdapter(options: OwnAdapterOptions = {}): PoolAdapter<Pool<Connection>, Connection> {
  const floor = options.expiryRespectsMinSize ?? false;
  const counts = options.minFloorCounts ?? 'size';
  const makePool = options.makePool ?? ((o: PoolOptions<Connection>) => new Pool(o));
  return {
    name: options.name ?? (floor ? (counts === 'idle' ? 'own (min floor on idle)' : 'own (min floor)') : 'own'),
    semantics: options.semantics ?? (floor ? floorSemantics(counts) : asyncpgSemantics),
    create: ({ config, connector }) =>
      makePool({
        connect: () => connector.connect(),
        minSize: config.minSize,
        maxSize: config.maxSize,
        maxInactiveConnectionLifetimeMs: config.lifetimeMs,
        expiryRespectsMinSize: floor,
        minFloorCounts: counts,
        ...(config.acquireTimeoutMs === undefined ? {} : { acquireTimeoutMs: config.acquireTimeoutMs }),
      }).start(),
    acquire: (pool) => pool.acquire(),
    release: (pool, conn) => pool.release(conn),
    destroy: (pool, conn) => pool.destroy(conn),
    query: (_pool, conn, sql) => conn.query(sql),
    connectionId: (conn) => conn.id,
    counters: (pool) => ({ idle: pool.getIdleSize(), size: pool.getSize(), waiting: pool.getWaitingCount() }),
    close: (pool) => pool.close(),
    terminate: (pool) => pool.terminate(),
  };
}
