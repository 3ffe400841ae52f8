import { EventEmitter } from 'node:events';
import type { Connection, Connector } from './types.js';

/*
 * pg-pool (node_modules/pg-pool/index.js, 3.14) builds its clients with `new Client(options)` and
 * touches only this much of them on the paths poolcheck drives:
 * - `connect(callback)` (index.js:266), callback style only;
 * - `on`/`removeListener('error', ...)` (index.js:270, 344, 385): an EventEmitter. pg-pool listens
 *   for `error` on every idle client and drops the client when it fires (`makeIdleListener`,
 *   index.js:51-64), which is how a connection the server ended leaves the pool;
 * - `_queryable` and `_ending` on release (index.js:392): a client that is not queryable, or is
 *   ending, is destroyed instead of going back to the idle list. pg's Client sets `_queryable` in
 *   its constructor; pg-mem's stand-in has neither, which is why pg-pool destroys it on release;
 * - `end(callback)` to destroy it (index.js:181, 295);
 * - with `connectionTimeoutMillis`, a connect that outlasts it: pg-pool reads `connection` (absent
 *   here, as for pg-native) and then `isConnected()`, and calls `end()` without a callback
 *   (index.js:251-262), expecting the connect callback to fail (index.js:271-284);
 * - `ref` only if present (index.js:161), so it is left out.
 * It also assigns `release` and `_poolUseCount` itself (index.js:342, 387). A user's own options
 * reach more: `allowExitOnIdle` calls `unref()` on an idle client and `ref()` when it is taken
 * again (index.js:424, 161), and `maxLifetimeSeconds` listens with `once('end')` (an EventEmitter's).
 * `query` is called by the caller holding the client, promise style, as poolcheck's adapter does.
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
  /** Whether the connection is open and not ending; pg-pool's connect timeout asks (index.js:256). */
  isConnected(): boolean;
  /** pg-pool calls these with `allowExitOnIdle` (index.js:424, 161). */
  unref(): void;
  ref(): void;
  query(sql: string): Promise<unknown>;
  end(callback?: () => void): void;
}

export type ConnectorClientClass = new (options?: unknown) => ConnectorClient;

/**
 * A Client class for pg-pool's `Client` option whose instances each open one connection from
 * `connector`: `connect` opens it, `query` runs on it, `end` closes it. The connector logs every
 * create, query and destroy with the fake time and numbers the connections, so each client carries
 * the connector's id as `poolcheckId`. When the server ends the connection (the connector's
 * `breakConnection`), the client does what pg's Client does on an unexpected end
 * (pg/lib/client.js, 8.x: the connection's `end` handler and `_handleErrorEvent`): it stops being
 * queryable and emits `error`, then `end` on the next tick.
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
    /** The callback of a connect still in flight; `end()` fails it, as closing the socket would. */
    private connecting: ((error?: Error) => void) | null = null;
    private endEmitted = false;

    /** pg-pool passes its own options (index.js:241); a connector needs none. */
    constructor(_options?: unknown) {
      super();
    }

    get poolcheckId(): number {
      if (this.conn === null) throw new Error('poolcheck pg client: no connector id before connect() has succeeded');
      return this.conn.id;
    }

    connect(callback: (error?: Error) => void): void {
      this.connecting = callback;
      connector.connect().then(
        (conn) => {
          if (this.connecting === null) {
            // end() gave up on this connect (pg-pool's connection timeout): the socket it would
            // have used is gone, so the connection is closed as soon as it exists.
            void conn.close();
            return;
          }
          this.connecting = null;
          this.conn = conn;
          this._queryable = true;
          conn.onBreak((error) => this.serverEnded(error));
          callback();
        },
        (error: unknown) => {
          const pending = this.connecting;
          this.connecting = null;
          pending?.(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }

    /**
     * pg's Client unrefs its socket so that an idle pool lets the process exit (`allowExitOnIdle`).
     * A connector's connection holds no socket of this process's event loop to unref, so there is
     * nothing to do, and `ref()` likewise.
     */
    unref(): void {}

    ref(): void {}

    isConnected(): boolean {
      return this.conn !== null && !this._ending;
    }

    query(sql: string): Promise<unknown> {
      if (this.conn === null) return Promise.reject(new Error('poolcheck pg client: query() before connect() has succeeded'));
      return this.conn.query(sql);
    }

    /**
     * Closes the connection. Every call reaches the connector, which logs it, so a pool that ends a
     * client twice is seen destroying its connection twice. A failing close is left to surface as
     * an unhandled rejection rather than hidden. During a connect, the connect fails with
     * "Connection terminated", as pg's does when its socket is closed under it.
     */
    end(callback?: () => void): void {
      this._ending = true;
      this._queryable = false;
      const pending = this.connecting;
      if (pending !== null) {
        this.connecting = null;
        queueMicrotask(() => {
          pending(new Error('poolcheck pg client: Connection terminated'));
          this.emitEnd();
          callback?.();
        });
        return;
      }
      const conn = this.conn;
      const ended = conn === null ? Promise.resolve() : conn.close();
      void ended.finally(() => {
        this.emitEnd();
        callback?.();
      });
    }

    /**
     * The server ended the connection. pg's Client emits `error` here whoever holds it; pg-pool
     * listens while the client is idle (index.js:270, 385) and removes it. A client in use has no
     * listener unless its holder added one, and pg would then throw the error as uncaught; this
     * client leaves it to the next query instead, which the connector rejects.
     */
    private serverEnded(error: Error): void {
      if (this._ending) return;
      this._queryable = false;
      if (this.listenerCount('error') > 0) this.emit('error', error);
      process.nextTick(() => this.emitEnd());
    }

    private emitEnd(): void {
      if (this.endEmitted) return;
      this.endEmitted = true;
      this.emit('end');
    }
  };
}
