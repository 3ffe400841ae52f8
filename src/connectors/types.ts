/**
 * Connectors make the connections a pool hands out. Every connector is instrumented: each
 * connection gets a sequential id, and creation, destruction and queries are logged with the
 * virtual time, so the runner can hold what the pool *says* against what really happened.
 */

/** One server connection, as a pool sees it. */
export interface Connection {
  /** Sequential per connector, starting at 1. Stable for the connection's whole life. */
  readonly id: number;
  /** True once `close()` has been called. */
  readonly closed: boolean;
  /** Runs one statement. Rejects on a closed connection. */
  query(sql: string): Promise<unknown>;
  /** Closes the connection. Each call is logged, so a double close is visible to the runner. */
  close(): Promise<void>;
}

export type ConnectorEventType = 'create' | 'destroy' | 'query';

export interface ConnectorEvent {
  readonly type: ConnectorEventType;
  readonly id: number;
  /** Virtual time (ms since the run's epoch) when the event happened. */
  readonly at: number;
  readonly sql?: string;
}

export interface Connector {
  /** Opens a new connection. */
  connect(): Promise<Connection>;
  /** Every event so far, in order. Append-only. */
  readonly events: readonly ConnectorEvent[];
  /** Ids of connections created and not yet closed. */
  liveIds(): number[];
  /** Releases the connector's own resources (not the connections: that is the pool's job). */
  dispose(): Promise<void>;
}

export interface ConnectorOptions {
  /** The clock to stamp events with. Defaults to `Date.now`, which a fake clock controls. */
  readonly now?: () => number;
}
