import FakeTimers, { type Clock } from '@sinonjs/fake-timers';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgMemConnector } from './pgmem.js';

// pg-mem settles queries with setImmediate, so these tests keep real timers and fake only Date.
let clock: Clock | undefined;

afterEach(() => {
  clock?.uninstall();
  clock = undefined;
});

describe('pg-mem connector', () => {
  it('numbers connections from 1 and logs each create with Date.now read at call time', async () => {
    const connector = createPgMemConnector();
    clock = FakeTimers.withGlobal(globalThis).install({ toFake: ['Date'], now: 1000 });
    const a = await connector.connect();
    clock.tick(250);
    const b = await connector.connect();
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(connector.events).toEqual([
      { type: 'create', id: 1, at: 1000 },
      { type: 'create', id: 2, at: 1250 },
    ]);
    expect(connector.liveIds()).toEqual([1, 2]);
  });

  it('logs queries with their SQL and runs them', async () => {
    const connector = createPgMemConnector({ now: () => 7 });
    const conn = await connector.connect();
    await expect(conn.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
    expect(connector.events.at(-1)).toEqual({ type: 'query', id: 1, at: 7, sql: 'SELECT 1 AS one' });
  });

  it('logs a destroy on every close, so a double close is visible', async () => {
    const connector = createPgMemConnector({ now: () => 0 });
    const a = await connector.connect();
    const b = await connector.connect();
    await a.close();
    await a.close();
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
    expect(connector.events.filter((event) => event.type === 'destroy')).toEqual([
      { type: 'destroy', id: 1, at: 0 },
      { type: 'destroy', id: 1, at: 0 },
    ]);
    expect(connector.liveIds()).toEqual([2]);
  });

  it('rejects (and logs) a query on a closed connection', async () => {
    const connector = createPgMemConnector();
    const conn = await connector.connect();
    await conn.close();
    await expect(conn.query('SELECT 1')).rejects.toThrow(
      'poolcheck pg-mem connector: query on connection #1 after it was closed',
    );
    expect(connector.events.map((event) => event.type)).toEqual(['create', 'destroy', 'query']);
  });

  it('gives every connector a fresh database, with ids starting again at 1', async () => {
    const first = createPgMemConnector();
    const conn = await first.connect();
    await conn.query('CREATE TABLE leftover (n int)');
    await conn.query('INSERT INTO leftover VALUES (1)');
    await conn.close();

    const second = createPgMemConnector();
    const fresh = await second.connect();
    expect(fresh.id).toBe(1);
    await expect(fresh.query('SELECT * FROM leftover')).rejects.toThrow(/leftover/);
    // The same schema can be built again from scratch.
    await fresh.query('CREATE TABLE leftover (n int)');
    await expect(fresh.query('SELECT count(*) AS n FROM leftover')).resolves.toMatchObject({ rows: [{ n: 0 }] });
  });

  it('disposes without throwing', async () => {
    const connector = createPgMemConnector();
    await connector.connect();
    await expect(connector.dispose()).resolves.toBeUndefined();
  });
});
