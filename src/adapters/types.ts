import type { VirtualClock } from '../clock/clock.js';
import type { Connector } from '../connectors/types.js';
import type { PoolConfig, Semantics } from '../model/semantics.js';

/**
 * What poolcheck needs from a pool: a thin mapping of acquire, release, the counters and close,
 * plus the expiry semantics the pool declares, as data. The model reads the semantics; it never
 * asks which library it is looking at.
 */
// #region adapter-interface
export interface PoolAdapter<P = unknown, C = unknown> {
  /** Shown in summaries and counterexamples. */
  readonly name: string;
  /** The expiry semantics this pool promises. A wrong declaration fails with an explanation. */
  readonly semantics: Semantics;
  /** Creates a pool whose connections come from `connector.connect()`. */
  create(context: CreateContext): Promise<P>;
  acquire(pool: P): Promise<C>;
  release(pool: P, conn: C): void | Promise<void>;
  /**
   * Discards an in-use connection instead of returning it, where the pool has a way to (pg-pool's
   * `release(true)`, generic-pool's and sequelize-pool's `destroy`). Leave it out otherwise.
   */
  destroy?(pool: P, conn: C): void | Promise<void>;
  query(pool: P, conn: C, sql: string): Promise<unknown>;
  /** The connector id of the connection behind `conn`. */
  connectionId(conn: C): number;
  /** Read synchronously: a blocked loop can still sample them. */
  counters(pool: P): PoolCounters;
  /** Graceful: resolves once every connection is released and closed. */
  close(pool: P): Promise<void>;
  /** Immediate: closes every connection, in use or not. */
  terminate(pool: P): void | Promise<void>;
  /**
   * For a pool that brings its own clock and connections (a pool in another process, see
   * src/remote/): called once per run instead of installing the fake clock and making a connector.
   */
  runtime?(): Promise<AdapterRuntime>;
}
// #endregion

/** A run's clock and connector, owned by the adapter; `dispose` ends them after the run. */
export interface AdapterRuntime {
  readonly clock: VirtualClock;
  readonly connector: Connector;
  dispose(): Promise<void>;
}

export interface CreateContext {
  readonly config: PoolConfig;
  readonly connector: Connector;
}

export interface PoolCounters {
  readonly idle: number;
  readonly size: number;
  /** Omit where the pool does not expose it; it is then not checked. */
  readonly waiting?: number;
}
