import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installFakeClock, uninstallAllClocks } from '../../src/clock/fake.js';
import { createPostgresConnector, type PostgresConnector } from '../../src/connectors/postgres.js';
import type { Connection } from '../../src/connectors/types.js';
import { postgresServer, titled } from './support/server.js';
import { realDelay } from '../../src/clock/real.js';

const server = postgresServer();
const url = server.url ?? 'postgres://unused@127.0.0.1/unused';

/** A plain client of the test's own, to look at the server from outside the connector. */
let observer: pg.Client;
const opened: PostgresConnector[] = [];

function connector(options: Parameters<typeof createPostgresConnector>[1] = {}): PostgresConnector {
  const made = createPostgresConnector(url, options);
  opened.push(made);
  return made;
}

async function backends(applicationName: string): Promise<number> {
  const result = await observer.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  return result.rows[0]?.n ?? -1;
}

afterEach(async () => {
  uninstallAllClocks();
  await Promise.all(opened.splice(0).map((c) => c.dispose()));
});

describe.skipIf(server.url === null)(titled('the PostgreSQL connector', server), () => {
  beforeAll(async () => {
    observer = new pg.Client({ connectionString: url, application_name: 'poolcheck-test-observer' });
    await observer.connect();
  });
  afterAll(async () => {
    await observer.end();
  });

  it('numbers connections from 1 and logs create, query and every close with now()', async () => {
    let now = 5;
    const c = connector({ now: () => now });
    const a = await c.connect();
    now = 8;
    const b = await c.connect();
    await expect(a.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    now = 13;
    await a.close();
    await a.close();
    expect([a.id, b.id, a.closed, b.closed]).toEqual([1, 2, true, false]);
    expect(c.events).toEqual([
      { type: 'create', id: 1, at: 5 },
      { type: 'create', id: 2, at: 8 },
      { type: 'query', id: 1, at: 8, sql: 'SELECT 1 AS one' },
      { type: 'destroy', id: 1, at: 13 },
      { type: 'destroy', id: 1, at: 13 },
    ]);
    expect(c.liveIds()).toEqual([2]);
    await expect(a.query('SELECT 1')).rejects.toThrow('poolcheck postgres connector: query on connection #1 after it was closed');
    await b.close();
  });

  it('names every connection of a connector with its own application_name, and the server agrees', async () => {
    const first = connector();
    const second = connector();
    expect(first.applicationName).toMatch(/^poolcheck-\d+-\d+-\d+$/);
    expect(second.applicationName).not.toBe(first.applicationName);
    const conns = [await first.connect(), await first.connect(), await second.connect()];
    expect(await first.verify()).toBeNull();
    expect(await backends(first.applicationName)).toBe(2);
    expect(await backends(second.applicationName)).toBe(1);
    await conns[0]!.close();
    // The backend exits a moment after the socket closes; verify polls until it has.
    expect(await first.verify()).toBeNull();
    expect(await backends(first.applicationName)).toBe(1);
    for (const conn of conns.slice(1)) await conn.close();
  });

  it('reports a backend of the run that the connector does not hold, with both counts', async () => {
    const c = connector({ verifyTimeoutMs: 50 });
    const conn = await c.connect();
    // A pool opening a connection of its own with the run's settings, behind the connector's back.
    const stray = new pg.Client({ connectionString: url, application_name: c.applicationName });
    await stray.connect();
    try {
      const problem = await c.verify();
      expect(problem).toMatch(new RegExp(`^the server lists 2 backend\\(s\\) with application_name '${c.applicationName}' in pg_stat_activity, the connector 1 open connection\\(s\\): backend pid \\d+ at the server belong to no open connection$`));
    } finally {
      await stray.end();
    }
    expect(await c.verify()).toBeNull();
    await conn.close();
  });

  it('failNextConnect: the next connect rejects, is logged, and opens nothing; the one after works', async () => {
    const c = connector({ now: () => 0 });
    c.faults.failNextConnect();
    await expect(c.connect()).rejects.toThrow('injected fault');
    expect(c.events).toEqual([
      { type: 'connect-began', id: 0, at: 0, sql: 'delay 0 ms, fails' },
      { type: 'connect-failed', id: 0, at: 0 },
    ]);
    expect(await c.verify()).toBeNull();
    expect(await backends(c.applicationName)).toBe(0);
    const conn = await c.connect();
    expect(conn.id).toBe(1);
    await conn.close();
  });

  it('delayNextConnect: the connect starts only when the run\'s fake clock reaches the delay', async () => {
    const clock = installFakeClock();
    const c = connector({ now: () => clock.now() });
    clock.waitFor(c.external);
    c.faults.delayNextConnect(500);
    let conn: Connection | null = null;
    void c.connect().then((made) => (conn = made));
    expect((await clock.settle(() => conn !== null)).ok).toBe(false);
    expect((await clock.sleep(499)).ok).toBe(true);
    expect(conn).toBeNull();
    // The connect that takes the delay is logged as it begins.
    const began = { type: 'connect-began', id: 0, at: 0, sql: 'delay 500 ms' };
    expect(c.events).toEqual([began]);
    // The clock waits, in real time, for the real connect the timer starts.
    expect((await clock.sleep(1)).ok).toBe(true);
    expect(conn).not.toBeNull();
    expect(c.events).toEqual([began, { type: 'create', id: 1, at: 500 }]);
    clock.uninstall();
    expect(await c.verify()).toBeNull();
    await conn!.close();
  });

  it('breakConnection: the server ends the backend, onBreak runs once, later queries reject', async () => {
    const clock = installFakeClock();
    const c = connector({ now: () => clock.now() });
    clock.waitFor(c.external);
    const conn = await c.connect();
    const heard: Error[] = [];
    conn.onBreak((error) => heard.push(error));
    expect(c.faults.breakConnection(7)).toBe(false);
    expect(c.faults.breakConnection(1)).toBe(true);
    expect(c.faults.breakConnection(1)).toBe(false);
    expect(heard).toEqual([]);
    // The listener runs when pg sees the socket close, which the clock waits for.
    expect((await clock.settle()).ok).toBe(true);
    expect(heard.map((e) => e.message)).toEqual(['poolcheck postgres connector: connection #1 terminated by the server']);
    clock.uninstall();
    await expect(conn.query('SELECT 1')).rejects.toThrow('connection #1 was ended by the server');
    expect(await backends(c.applicationName)).toBe(0);
    // Broken, it is still the pool's to close; the server has no backend to agree about.
    expect(c.liveIds()).toEqual([1]);
    expect(await c.verify()).toBeNull();
    await conn.close();
    expect(c.events.map((e) => e.type)).toEqual(['create', 'break', 'query', 'destroy']);
    expect(heard).toHaveLength(1);
  });

  it('a settle gives up on a server that does not answer in time, and names it', async () => {
    const clock = installFakeClock();
    const c = connector({ ioTimeoutMs: 100 });
    clock.waitFor(c.external);
    const conn = await c.connect();
    // Rejected when dispose ends the connection mid-query.
    conn.query('SELECT pg_sleep(0.5)').catch(() => undefined);
    const settled = await clock.settle();
    expect(settled).toEqual({ ok: false, reason: expect.stringMatching(/^the PostgreSQL server at [^ ]+ did not answer within 0\.1 s of real time \(at 0 ms of virtual time\)$/) as unknown });
    clock.uninstall();
  });

  it('dispose ends its admin connection and any connection left open', async () => {
    const c = connector();
    await c.connect();
    expect(await c.verify()).toBeNull();
    expect(await backends(`${c.applicationName}-admin`)).toBe(1);
    await c.dispose();
    // Backends exit a moment after their sockets close: poll, bounded.
    for (let i = 0; i < 200 && (await backends(c.applicationName)) + (await backends(`${c.applicationName}-admin`)) > 0; i++) await realDelay(10);
    expect(await backends(c.applicationName)).toBe(0);
    expect(await backends(`${c.applicationName}-admin`)).toBe(0);
  });
});
