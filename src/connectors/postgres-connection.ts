import type pg from 'pg';
import { DelaysInFlight, type NextQueryFaults } from './next-query.js';
import type { Connection, ConnectorEvent } from './types.js';

/** What a connection needs of its connector: the log, the clock and the serial I/O chain. */
export interface PostgresConnectionOwner {
  readonly now: () => number;
  log(event: ConnectorEvent): void;
  readonly nextQuery: NextQueryFaults;
  forget(id: number): void;
  io<T>(op: () => Promise<T>): Promise<T>;
}

/** One real server connection: a `pg.Client`, numbered and logged by its connector. */
export class PostgresConnection implements Connection {
  private isClosed = false;
  /** Its queries' injected delays, cut short when it closes. */
  private readonly delays = new DelaysInFlight();
  private isBroken = false;
  private readonly breakListeners: ((error: Error) => void)[] = [];
  private readonly end: Promise<void>;

  constructor(
    readonly id: number,
    readonly client: pg.Client,
    private readonly owner: PostgresConnectionOwner,
  ) {
    this.end = new Promise((resolve) => client.once('end', resolve));
    void this.end.then(() => this.serverEnded());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get broken(): boolean {
    return this.isBroken;
  }

  /** The server's process id for this connection, as `pg_stat_activity` lists it. */
  get pid(): number {
    return (this.client as pg.Client & { processID: number }).processID;
  }

  /** Logged even on a closed or broken connection, so the runner sees a pool using one. */
  async query(sql: string): Promise<unknown> {
    this.owner.log({ type: 'query', id: this.id, at: this.owner.now(), sql });
    if (this.isClosed) {
      throw new Error(
        `poolcheck postgres connector: query on connection #${this.id} after it was closed; ` +
          'a pool must not hand out a closed connection, and callers must not use one after release',
      );
    }
    if (this.isBroken) throw new Error(`poolcheck postgres connector: connection #${this.id} was ended by the server; the pool should have dropped it`);
    await this.owner.nextQuery.takeDelay(this.delays);
    return this.owner.io(() => this.client.query(sql));
  }

  /** `SELECT 1` at the server; false when a fault says so, or the connection is closed or broken. */
  async validate(): Promise<boolean> {
    const ok = this.owner.nextQuery.takeValidation(this.id, (e) => this.owner.log(e), this.owner.now);
    await this.owner.nextQuery.takeDelay(this.delays);
    if (!ok || this.isClosed || this.isBroken) return false;
    await this.owner.io(() => this.client.query('SELECT 1'));
    return true;
  }

  isValid(): boolean {
    const ok = this.owner.nextQuery.takeValidation(this.id, (e) => this.owner.log(e), this.owner.now);
    return ok && !this.isClosed && !this.isBroken;
  }

  /** Every call is logged, so the runner can see a pool destroying a connection twice. */
  async close(): Promise<void> {
    this.owner.log({ type: 'destroy', id: this.id, at: this.owner.now() });
    if (this.isClosed) return;
    this.isClosed = true;
    this.delays.cutAll();
    this.owner.forget(this.id);
    // The server ends the backend in its own time after the Terminate message; waiting for the
    // socket to close would cost tens of ms per connection, one after another, while `verify`
    // waits for all of them at once. End failures surface there, as a backend left behind.
    await this.owner.io(async () => {
      this.client.end().catch(() => undefined);
    });
  }

  onBreak(listener: (error: Error) => void): void {
    this.breakListeners.push(listener);
  }

  /** Set by the connector as it asks the server to end the connection: later queries reject at once. */
  markBroken(): void {
    this.isBroken = true;
  }

  /** Marks the connection closed without logging it, for the connector to end after a run; returns its client. */
  abandon(): pg.Client {
    this.isClosed = true;
    return this.client;
  }

  /** Resolves when the client's socket has closed, whoever closed it. */
  ended(): Promise<void> {
    return this.end;
  }

  /**
   * The socket closed. After the pool's own close that is all; otherwise the server ended the
   * connection (a break, or the server going away on its own, which is logged as a break too), and
   * the listeners hear of it once, as they would from pg's `end` event.
   */
  private serverEnded(): void {
    if (!this.isBroken) {
      if (this.isClosed) return;
      this.isBroken = true;
      this.owner.log({ type: 'break', id: this.id, at: this.owner.now() });
    }
    const error = new Error(`poolcheck postgres connector: connection #${this.id} terminated by the server`);
    for (const listener of this.breakListeners.splice(0)) listener(error);
  }
}
