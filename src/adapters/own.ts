import type { Connection } from '../connectors/types.js';
import { asyncpgSemantics, type Semantics } from '../model/semantics.js';
import { Pool, type PoolOptions } from '../pool/index.js';
import type { PoolAdapter } from './types.js';

export interface OwnAdapterOptions {
  /** Makes `minSize` a floor for expiry (the pool's `expiryRespectsMinSize`). Default false, as asyncpg. */
  readonly expiryRespectsMinSize?: boolean;
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
  const handoff = options.handoff ?? 'microtask';
  const closeIdleAfterMs = options.closeIdleAfterMs ?? 0;
  const close = closeIdleAfterMs === 0 ? {} : { gracefulClose: { kind: 'idle-by-timer' as const, withinMs: closeIdleAfterMs } };
  const counts = options.minFloorCounts ?? 'size';
  const makePool = options.makePool ?? ((o: PoolOptions<Connection>) => new Pool(o));
  const base = floor ? (counts === 'idle' ? 'own (min floor on idle)' : 'own (min floor)') : 'own';
  return {
    name: options.name ?? `${base}${handoff === 'microtask' ? '' : ` (hands over in a ${handoff === 'immediate' ? 'setImmediate' : 'setTimeout(0)'})`}`,
    semantics: options.semantics ?? { ...(floor ? floorSemantics(counts) : asyncpgSemantics), handoff, ...close },
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
