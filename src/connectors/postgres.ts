import { threadId } from 'node:worker_threads';
import type pg from 'pg';
import { loadPg } from './load-pg.js';
import { realDelay, realNow, within, type ExternalWork } from '../clock/real.js';
import { PostgresConnection } from './postgres-connection.js';
import { describeDisagreement, describeServer } from './postgres-server.js';
import type { Connection, Connector, ConnectorEvent, ConnectorFaults, ConnectorOptions } from './types.js';
import { NextConnectFaults } from './next-connect.js';
import { NextQueryFaults } from './next-query.js';

export interface PostgresConnectorOptions extends ConnectorOptions {
  /** Real-time bound on one wait for the server, ms; past it the run is `not-settled`. Default 10 000. */
  readonly ioTimeoutMs?: number;
  /**
   * Real-time bound for the server's list of backends to catch up with the connector (a closed
   * connection's backend exits a moment after the socket closes), ms. Default 2000.
   */
  readonly verifyTimeoutMs?: number;
}

/** Connectors made by this process, so each run's application_name is its own. */
let made = 0;

/**
 * Creates a connector over a real PostgreSQL server, with the same contract as pg-mem's:
 * connections numbered 1, 2, 3..., every create, query, close and fault logged with `now()`. Every
 * connection of the connector carries its own application_name (`poolcheck-<pid>-<thread>-<n>`),
 * so `verify()` can find exactly this run's backends in `pg_stat_activity`.
 *
 * Its I/O runs one operation at a time, in call order: ids and the order of completions are then
 * the same on every run, as with pg-mem, and the fake clock waits for each in real time.
 *
 * @example
 * const connector = createPostgresConnector('postgres://poolcheck:poolcheck@127.0.0.1:5432/poolcheck');
 * const conn = await connector.connect(); // id 1
 * await conn.query('SELECT 1');
 * await conn.close();
 * await connector.dispose();
 */
export function createPostgresConnector(url: string, options: PostgresConnectorOptions = {}): PostgresConnector {
  return new PostgresConnector(url, options);
}

/**
 * A connector factory for `check({ connector })`: a fresh connector, with its own application_name,
 * for every run. The URL is checked here, once.
 *
 * @example
 * await check({ adapter, connector: postgresConnector(process.env.DATABASE_URL!) });
 */
export function postgresConnector(url: string, options: Omit<PostgresConnectorOptions, 'now'> = {}): (run: ConnectorOptions) => PostgresConnector {
  describeServer(url);
  return (run) => createPostgresConnector(url, { ...options, ...run });
}

export class PostgresConnector implements Connector, ConnectorFaults {
  readonly events: ConnectorEvent[] = [];
  readonly faults: ConnectorFaults = this;
  readonly external: ExternalWork;
  /** Every connection of this connector carries it; its backends are found by it. */
  readonly applicationName: string;
  /** `host:port/database`, for messages. */
  readonly server: string;
  readonly now: () => number;
  private readonly live = new Map<number, PostgresConnection>();
  private readonly verifyTimeoutMs: number;
  private counter = 0;
  private readonly next = new NextConnectFaults();
  /** The delay is a timer; the connect after it is real I/O, which completes in the poll phase. */
  readonly connectsLand = 'by-io' as const;
  readonly nextQuery = new NextQueryFaults();
  /** The tail of the I/O chain, and how many operations are on it. */
  private chain: Promise<unknown> = Promise.resolve();
  private busy = 0;
  private admin: Promise<pg.Client> | null = null;
  /** A fault that could not be injected at the server; `verify` reports it. */
  private problem: string | null = null;

  constructor(
    private readonly url: string,
    options: PostgresConnectorOptions,
  ) {
    this.server = describeServer(url);
    this.now = options.now ?? (() => Date.now());
    this.applicationName = `poolcheck-${process.pid}-${threadId}-${++made}`;
    this.verifyTimeoutMs = options.verifyTimeoutMs ?? 2_000;
    this.external = {
      name: `the PostgreSQL server at ${this.server}`,
      timeoutMs: options.ioTimeoutMs ?? 10_000,
      pending: () => (this.busy === 0 ? null : this.chain),
    };
  }

  async connect(): Promise<Connection> {
    // A fault applies to one connect: the next one, as the pool makes it.
    await this.next.take('postgres', (event) => this.log(event), this.now);
    const client = await this.io(() => this.open(this.applicationName));
    const id = ++this.counter;
    const conn = new PostgresConnection(id, client, this);
    this.live.set(id, conn);
    this.log({ type: 'create', id, at: this.now() });
    return conn;
  }

  liveIds(): number[] {
    return [...this.live.keys()].sort((a, b) => a - b);
  }

  failNextConnect(): void {
    this.next.failNextConnect();
  }

  delayNextConnect(ms: number): void {
    this.next.delayNextConnect(ms);
  }

  failNextValidation(): void {
    this.nextQuery.failNextValidation();
  }

  delayNextQuery(ms: number): void {
    this.nextQuery.delayNextQuery(ms);
  }

  /**
   * The server ends the connection: its backend is terminated with `pg_terminate_backend` from the
   * connector's own admin connection, so the client sees what a real server restart or idle
   * timeout shows it (a FATAL error, then the socket closing), and `onBreak` listeners run on that.
   */
  breakConnection(id: number): boolean {
    const conn = this.live.get(id);
    if (conn === undefined || conn.broken) return false;
    this.log({ type: 'break', id, at: this.now() });
    conn.markBroken();
    void this.io(() => this.terminate(conn)).catch((error: unknown) => {
      this.problem ??= `breaking connection #${id} at the server failed: ${message(error)}`;
    });
    return true;
  }

  /**
   * Holds the connections that should have a backend (open, not broken) against the backends the
   * server lists under this connector's application_name, by pid. The server exits a backend a
   * moment after its socket closes, so a difference is polled away for up to `verifyTimeoutMs`
   * before it counts.
   */
  async verify(): Promise<string | null> {
    if (this.problem !== null) return this.problem;
    const deadline = realNow() + this.verifyTimeoutMs;
    for (;;) {
      let pids: number[];
      try {
        pids = await this.backendPids();
      } catch (error) {
        return `could not list the backends of ${this.server} in pg_stat_activity: ${message(error)}`;
      }
      const expected = new Map([...this.live].filter(([, conn]) => !conn.broken).map(([id, conn]) => [id, conn.pid]));
      const found = describeDisagreement(this.applicationName, expected, pids);
      if (found === null || realNow() >= deadline) return found;
      await realDelay(2);
    }
  }

  /**
   * Ends the admin connection, and any connection the pool left open (a failing run), unlogged:
   * the run's verdict is in, and a real server must not be left holding them.
   */
  async dispose(): Promise<void> {
    const leftovers = [...this.live.values()].map((conn) => conn.abandon());
    this.live.clear();
    const admin = this.admin === null ? [] : [await this.admin.catch(() => null)];
    this.admin = null;
    await Promise.all([...leftovers, ...admin].map((client) => (client === null ? undefined : endWithin(client, 2_000))));
  }

  log(event: ConnectorEvent): void {
    this.events.push(event);
  }

  forget(id: number): void {
    this.live.delete(id);
  }

  /**
   * Runs `op` after every earlier operation has finished, as work the fake clock waits for. One at
   * a time keeps completions in call order, so the same seed gives the same run.
   */
  io<T>(op: () => Promise<T>): Promise<T> {
    this.busy++;
    const run = this.chain.then(op);
    const done = (): void => {
      this.busy--;
    };
    this.chain = run.then(done, done);
    return run;
  }

  private async open(applicationName: string): Promise<pg.Client> {
    const client = new (await loadPg()).Client({ connectionString: this.url, application_name: applicationName });
    // An error on an idle client (its backend terminated) also ends it; the end is what counts.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`poolcheck postgres connector: cannot connect to ${this.server}: ${message(error)}`, { cause: error });
    }
    return client;
  }

  private async terminate(conn: PostgresConnection): Promise<void> {
    const ended = conn.ended();
    const admin = await this.adminClient();
    const result = await admin.query<{ terminated: boolean }>('SELECT pg_terminate_backend($1) AS terminated', [conn.pid]);
    if (result.rows[0]?.terminated !== true) throw new Error(`pg_terminate_backend(${conn.pid}) returned false: no such backend, or not allowed`);
    await ended;
  }

  private async backendPids(): Promise<number[]> {
    const admin = await this.adminClient();
    const result = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [this.applicationName]);
    return result.rows.map((row) => row.pid);
  }

  /** The connector's own connection, for pg_stat_activity and pg_terminate_backend; opened on first use. */
  private adminClient(): Promise<pg.Client> {
    this.admin ??= this.open(`${this.applicationName}-admin`);
    return this.admin;
  }
}

async function endWithin(client: pg.Client, ms: number): Promise<void> {
  await within(client.end(), ms);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
