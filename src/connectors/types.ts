/**
 * Connectors make the connections a pool hands out. Every connector is instrumented: each
 * connection gets a sequential id, and creation, destruction and queries are logged with the
 * virtual time, so the runner can hold what the pool *says* against what really happened.
 */

import type { ExternalWork } from '../clock/real.js';

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
  /**
   * Registers a listener for the server ending this connection (a broken connection, see
   * {@link ConnectorFaults.breakConnection}). It runs once, asynchronously, as a client library's
   * `error`/`end` event would; the pool's cue to drop the connection.
   */
  onBreak(listener: (error: Error) => void): void;
  /**
   * A pool's check before lending the connection, as a query (`SELECT 1`): resolves to whether it
   * is usable. Logged as `validate`; it takes the faults for the next validation and next query.
   */
  validate(): Promise<boolean>;
  /** The same check, synchronous (a flag a client library keeps, no query). Logged as `validate`. */
  isValid(): boolean;
}

/**
 * - `create`, `destroy`, `query`: a connection opened, closed by the pool (every call, so a double
 *   close shows), or queried.
 * - `connect-failed`: a connect the fault injector made fail; no connection was opened.
 * - `connect-began`: a connect that takes an injected fault (a delay, a failure) began; `sql`
 *   says which. A pool that begins a connect on its own at an instant the model only bounds (a
 *   refill at a reaper run) tells the model that instant through it.
 * - `break`: the server ended the connection; the pool must still close it (a `destroy` follows).
 * - `validate`: the pool began to validate the connection (`validate()` or `isValid()`), before
 *   lending it; `sql` holds `'invalid'` when an injected fault made it fail.
 */
export type ConnectorEventType = 'create' | 'destroy' | 'query' | 'connect-failed' | 'connect-began' | 'break' | 'validate';

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
  /** Fault injection; a connector without it supports no fault commands. */
  readonly faults?: ConnectorFaults;
  /**
   * Real I/O in flight (to a server), which the run's fake clock waits for in real time, bounded,
   * so it takes no virtual time. pg-mem has none.
   */
  readonly external?: ExternalWork;
  /**
   * How a delayed connect (`faults.delayNextConnect`) lands once its delay is over: `'by-timer'`
   * (the default: pg-mem's connect completes in microtasks, as its timer fires) or `'by-io'` (a
   * real server's connect completes by I/O, in the poll phase: after every timer that fires at that
   * instant, those overdue after a blocked loop included).
   */
  readonly connectsLand?: 'by-timer' | 'by-io';
  /**
   * Holds the connector's live connections against the server's own view of them. Resolves to a
   * description of the disagreement, or null; the runner calls it after every command.
   */
  verify?(): Promise<string | null>;
}

/** Faults the commands inject at the connector, where a real network or server would cause them. */
export interface ConnectorFaults {
  /** The next `connect()` rejects, after its delay if one is set; logged as `connect-failed`. */
  failNextConnect(): void;
  /** The next `connect()` settles only after `ms` of virtual time (a timer on the run's clock). */
  delayNextConnect(ms: number): void;
  /**
   * The server ends connection `id`: it is logged as `break`, later queries reject, and its
   * `onBreak` listeners run. Returns false when `id` is not a live connection.
   */
  breakConnection(id: number): boolean;
  /** The next validation (`validate()` or `isValid()`, on any connection) fails. */
  failNextValidation?(): void;
  /**
   * The next query on any connection (`query()` or `validate()`) settles only after `ms` of
   * virtual time (a timer on the run's clock).
   */
  delayNextQuery?(ms: number): void;
  /**
   * The next `close()` (on any connection) closes the connection as any does, but settles only
   * after `ms` of virtual time (a timer on the run's clock): a close that takes its time, as a
   * server's does. `poolcheck infer` uses it to see when a pool decides its refill after a discard.
   */
  delayNextClose?(ms: number): void;
}

export interface ConnectorOptions {
  /** The clock to stamp events with. Defaults to `Date.now`, which a fake clock controls. */
  readonly now?: () => number;
}
