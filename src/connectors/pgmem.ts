import { createRequire } from 'node:module';
import type * as PgMem from 'pg-mem';
import { requireCompiled } from './compile-cache.js';
import type { Connection, Connector, ConnectorEvent, ConnectorFaults, ConnectorOptions } from './types.js';
import { NextConnectFaults } from './next-connect.js';
import { DelaysInFlight, NextQueryFaults } from './next-query.js';

/** The part of pg-mem's `pg.Client` stand-in that poolcheck uses (pg-mem types it as `any`). */
interface PgMemClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
type PgMemClientClass = new () => PgMemClient;

interface Pristine {
  readonly backup: PgMem.IBackup;
  readonly Client: PgMemClientClass;
}

/*
 * Every run needs a pristine database, but `newDb()` costs milliseconds, far too slow for tens of
 * thousands of commands a second, while restoring a backup costs microseconds. So the process keeps
 * one database, backed up right after creation, and each connector restores it. Runs in a process
 * are sequential, so no two connectors use it at once. pg-mem refuses to restore across a schema
 * change (a run that issued DDL); only then is a new database built.
 */
let pristine: Pristine | undefined;

/*
 * pg-mem is CommonJS: `require` loads it in half the CPU of `import`, which on Node 20 sends each
 * of its nested modules through the ES module loader's export scan. It is loaded on the first
 * database, so a process that never builds one (`poolcheck --help`, a real server) never pays.
 */
const loadPgMem = (): typeof PgMem => requireCompiled(createRequire(import.meta.url), 'pg-mem') as typeof PgMem;

function freshDatabase(): Pristine {
  if (pristine !== undefined) {
    try {
      pristine.backup.restore();
      return pristine;
    } catch {
      // The previous run changed the schema; fall through and rebuild.
    }
  }
  // The AST coverage check re-walks every statement after it runs; it guards pg-mem itself, not
  // the pool, and costs more than the query.
  const db = loadPgMem().newDb({ noAstCoverageCheck: true });
  const { Client } = db.adapters.createPg() as { Client: PgMemClientClass };
  pristine = { backup: db.backup(), Client };
  return pristine;
}

/**
 * Creates a connector over a pristine in-memory PostgreSQL (pg-mem). Connections get ids 1, 2, 3...
 * and every create, query and destroy is logged with `now()`, which defaults to `Date.now` read at
 * call time, so a fake clock installed later stamps the events.
 *
 * @example
 * const connector = createPgMemConnector();
 * const conn = await connector.connect(); // id 1
 * await conn.query('SELECT 1');
 * await conn.close();
 */
export function createPgMemConnector(options: ConnectorOptions = {}): Connector {
  return new PgMemConnector(freshDatabase().Client, options.now ?? (() => Date.now()));
}

class PgMemConnector implements Connector, ConnectorFaults {
  readonly events: ConnectorEvent[] = [];
  readonly faults: ConnectorFaults = this;
  private readonly live = new Map<number, PgMemConnection>();
  private counter = 0;
  private readonly next = new NextConnectFaults();
  readonly nextQuery = new NextQueryFaults();
  /** The delay the next close takes (`delayNextClose`). */
  private closeDelay = 0;

  constructor(
    private readonly Client: PgMemClientClass,
    readonly now: () => number,
  ) {}

  async connect(): Promise<Connection> {
    // A fault applies to one connect: the next one, as the pool makes it.
    await this.next.take('pg-mem', (event) => this.log(event), this.now);
    const client = new this.Client();
    await client.connect();
    const id = ++this.counter;
    const conn = new PgMemConnection(id, client, this);
    this.live.set(id, conn);
    this.log({ type: 'create', id, at: this.now() });
    return conn;
  }

  liveIds(): number[] {
    // Ids are taken in the order connections are added, so the map's order is already ascending:
    // no sort on a call the runner makes after every step.
    return [...this.live.keys()];
  }

  async dispose(): Promise<void> {
    // The database is shared by the process and restored by the next connector; nothing to free.
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

  delayNextClose(ms: number): void {
    this.closeDelay = ms;
  }

  /** The delay the next close takes, cleared as it is taken. */
  takeCloseDelay(): number {
    const delay = this.closeDelay;
    this.closeDelay = 0;
    return delay;
  }

  breakConnection(id: number): boolean {
    const conn = this.live.get(id);
    if (conn === undefined || conn.broken) return false;
    this.log({ type: 'break', id, at: this.now() });
    conn.breakNow();
    return true;
  }

  log(event: ConnectorEvent): void {
    this.events.push(event);
  }

  forget(id: number): void {
    this.live.delete(id);
  }
}

class PgMemConnection implements Connection {
  private isClosed = false;
  /** Its queries' injected delays, cut short when it closes. */
  private readonly delays = new DelaysInFlight();
  private isBroken = false;
  private readonly breakListeners: ((error: Error) => void)[] = [];

  constructor(
    readonly id: number,
    private readonly client: PgMemClient,
    private readonly connector: PgMemConnector,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  get broken(): boolean {
    return this.isBroken;
  }

  /** Logged even on a closed connection, so the runner sees a pool that hands out destroyed connections. */
  async query(sql: string): Promise<unknown> {
    this.connector.log({ type: 'query', id: this.id, at: this.connector.now(), sql });
    if (this.isClosed) {
      throw new Error(
        `poolcheck pg-mem connector: query on connection #${this.id} after it was closed; ` +
          'a pool must not hand out a closed connection, and callers must not use one after release',
      );
    }
    if (this.isBroken) throw new Error(`poolcheck pg-mem connector: connection #${this.id} was ended by the server; the pool should have dropped it`);
    await this.connector.nextQuery.takeDelay(this.delays);
    return this.client.query(sql);
  }

  /** `SELECT 1` behind the scenes; false when a fault says so, or the connection is closed or broken. */
  async validate(): Promise<boolean> {
    const ok = this.connector.nextQuery.takeValidation(this.id, (e) => this.connector.log(e), this.connector.now);
    await this.connector.nextQuery.takeDelay(this.delays);
    if (!ok || this.isClosed || this.isBroken) return false;
    await this.client.query('SELECT 1');
    return true;
  }

  isValid(): boolean {
    const ok = this.connector.nextQuery.takeValidation(this.id, (e) => this.connector.log(e), this.connector.now);
    return ok && !this.isClosed && !this.isBroken;
  }

  /** Every call is logged, so the runner can see a pool destroying a connection twice. */
  async close(): Promise<void> {
    this.connector.log({ type: 'destroy', id: this.id, at: this.connector.now() });
    if (this.isClosed) return;
    this.isClosed = true;
    this.delays.cutAll();
    this.connector.forget(this.id);
    const delay = this.connector.takeCloseDelay();
    await this.client.end();
    // The global setTimeout, looked up now, is the run's fake clock.
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  onBreak(listener: (error: Error) => void): void {
    this.breakListeners.push(listener);
  }

  /** The server ended the connection: listeners hear of it on a later microtask, as from a socket. */
  breakNow(): void {
    this.isBroken = true;
    const error = new Error(`poolcheck pg-mem connector: connection #${this.id} terminated by the server`);
    queueMicrotask(() => {
      for (const listener of this.breakListeners.splice(0)) listener(error);
    });
  }
}
