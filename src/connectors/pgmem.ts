import { newDb, type IBackup } from 'pg-mem';
import type { Connection, Connector, ConnectorEvent, ConnectorOptions } from './types.js';

/** The part of pg-mem's `pg.Client` stand-in that poolcheck uses (pg-mem types it as `any`). */
interface PgMemClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
type PgMemClientClass = new () => PgMemClient;

interface Pristine {
  readonly backup: IBackup;
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
  const db = newDb({ noAstCoverageCheck: true });
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

class PgMemConnector implements Connector {
  readonly events: ConnectorEvent[] = [];
  private readonly live = new Set<number>();
  private counter = 0;

  constructor(
    private readonly Client: PgMemClientClass,
    readonly now: () => number,
  ) {}

  async connect(): Promise<Connection> {
    const client = new this.Client();
    await client.connect();
    const id = ++this.counter;
    this.live.add(id);
    this.log({ type: 'create', id, at: this.now() });
    return new PgMemConnection(id, client, this);
  }

  liveIds(): number[] {
    return [...this.live].sort((a, b) => a - b);
  }

  async dispose(): Promise<void> {
    // The database is shared by the process and restored by the next connector; nothing to free.
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

  constructor(
    readonly id: number,
    private readonly client: PgMemClient,
    private readonly connector: PgMemConnector,
  ) {}

  get closed(): boolean {
    return this.isClosed;
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
    return this.client.query(sql);
  }

  /** Every call is logged, so the runner can see a pool destroying a connection twice. */
  async close(): Promise<void> {
    this.connector.log({ type: 'destroy', id: this.id, at: this.connector.now() });
    if (this.isClosed) return;
    this.isClosed = true;
    this.connector.forget(this.id);
    await this.client.end();
  }
}
