import { EventEmitter } from 'node:events';
import type { Connection, Connector } from './types.js';

/*
 * pg-pool (node_modules/pg-pool/index.js, 3.14) builds its clients with `new Client(options)` and
 * touches only this much of them on the paths poolcheck drives:
 * - `connect(callback)` (index.js:266), callback style only;
 * - `on`/`removeListener('error', ...)` (index.js:270, 344, 385): an EventEmitter;
 * - `_queryable` and `_ending` on release (index.js:392): a client that is not queryable, or is
 *   ending, is destroyed instead of going back to the idle list. pg's Client sets `_queryable` in
 *   its constructor; pg-mem's stand-in has neither, which is why pg-pool destroys it on release;
 * - `end(callback)` to destroy it (index.js:181, 295);
 * - `ref` only if present (index.js:161), so it is left out.
 * It also assigns `release` and `_poolUseCount` itself (index.js:342, 387). `connection`,
 * `isConnected()`, `unref()` and `once('end')` are only reached with `connectionTimeoutMillis`,
 * `allowExitOnIdle` or `maxLifetimeSeconds`, which the adapter does not set; `query` is called by
 * the caller holding the client, promise style, as poolcheck's adapter does.
 */

/** A pg-pool client over one connector connection. */
export interface ConnectorClient extends EventEmitter {
  /** The connector's id for the connection behind this client. Throws before `connect`. */
  readonly poolcheckId: number;
  /** pg-pool keeps a released client only while this is true (pg-pool index.js:392). */
  readonly _queryable: boolean;
  /** pg-pool destroys a released client while this is true (pg-pool index.js:392). */
  readonly _ending: boolean;
  connect(callback: (error?: Error) => void): void;
  query(sql: string): Promise<unknown>;
  end(callback?: () => void): void;
}

export type ConnectorClientClass = new (options?: unknown) => ConnectorClient;

/**
 * A Client class for pg-pool's `Client` option whose instances each open one connection from
 * `connector`: `connect` opens it, `query` runs on it, `end` closes it. The connector logs every
 * create, query and destroy with the fake time and numbers the connections, so each client carries
 * the connector's id as `poolcheckId`.
 *
 * @example
 * const connector = createPgMemConnector();
 * const pool = new Pool({ Client: connectorClientClass(connector), max: 10 });
 */
export function connectorClientClass(connector: Connector): ConnectorClientClass {
  return class PoolcheckPgClient extends EventEmitter implements ConnectorClient {
    _queryable = false;
    _ending = false;
    private conn: Connection | null = null;

    /** pg-pool passes its own options (index.js:241); a connector needs none. */
    constructor(_options?: unknown) {
      super();
    }

    get poolcheckId(): number {
      if (this.conn === null) throw new Error('poolcheck pg client: no connector id before connect() has succeeded');
      return this.conn.id;
    }

    connect(callback: (error?: Error) => void): void {
      connector.connect().then(
        (conn) => {
          this.conn = conn;
          this._queryable = true;
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    query(sql: string): Promise<unknown> {
      if (this.conn === null) return Promise.reject(new Error('poolcheck pg client: query() before connect() has succeeded'));
      return this.conn.query(sql);
    }

    /**
     * Closes the connection. Every call reaches the connector, which logs it, so a pool that ends a
     * client twice is seen destroying its connection twice. A failing close is left to surface as
     * an unhandled rejection rather than hidden.
     */
    end(callback?: () => void): void {
      this._ending = true;
      this._queryable = false;
      const conn = this.conn;
      const ended = conn === null ? Promise.resolve() : conn.close();
      void ended.finally(() => {
        this.emit('end');
        callback?.();
      });
    }
  };
}
