import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../../src/adapters/own.js';
import { pgPoolAdapter, pgPoolSemantics } from '../../src/adapters/pg-pool.js';
import { capabilitiesOf } from '../../src/model/semantics.js';
import type { PoolAdapter } from '../../src/adapters/types.js';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { createPostgresConnector, postgresConnector, type PostgresConnector } from '../../src/connectors/postgres.js';
import type { ConnectorEvent, ConnectorOptions } from '../../src/connectors/types.js';
import { formatResult } from '../../src/report/text.js';
import { check } from '../../src/runner/check.js';
import { expectCaught } from '../support/caught.js';
import { postgresServer, titled } from './support/server.js';
import PgPool from 'pg-pool';

const server = postgresServer();
const url = server.url ?? 'postgres://unused@127.0.0.1/unused';

afterEach(() => uninstallAllClocks());

/**
 * The own pool, plus a bug no pool-side count shows: on its first acquire it opens a connection of
 * its own, with the run's settings, around the connector. Only the server knows of it.
 */
function poolWithAHiddenConnection(): PoolAdapter {
  const own = ownPoolAdapter() as PoolAdapter;
  const hidden = new Map<unknown, { connector: PostgresConnector; client: pg.Client | null }>();
  const endHidden = async (pool: unknown): Promise<void> => {
    await hidden.get(pool)?.client?.end();
    hidden.delete(pool);
  };
  return {
    ...own,
    name: 'own, with a hidden connection',
    create: async (context) => {
      const pool = await own.create(context);
      hidden.set(pool, { connector: context.connector as PostgresConnector, client: null });
      return pool;
    },
    acquire: async (pool) => {
      const entry = hidden.get(pool);
      if (entry !== undefined && entry.client === null) {
        const client = new pg.Client({ connectionString: url, application_name: entry.connector.applicationName });
        entry.client = client;
        // Through the connector's I/O chain, so the fake clock waits for it as for any real I/O
        // (without, the acquire is rightly reported as not settling).
        await entry.connector.io(() => client.connect());
      }
      return own.acquire(pool);
    },
    close: async (pool) => {
      await own.close(pool);
      await endHidden(pool);
    },
    terminate: async (pool) => {
      await own.terminate(pool);
      await endHidden(pool);
    },
  };
}

describe.skipIf(server.url === null)(titled('the server check after every command', server), () => {
  it('passes the own pool', async () => {
    const result = await check({ adapter: ownPoolAdapter() as PoolAdapter, connector: postgresConnector(url), numRuns: 3, seed: 7 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  // The connector's I/O runs one operation at a time and the clock waits for it, so real latency
  // changes nothing a run sees: every run's log, virtual times included, comes out the same.
  it('gives the same event logs for the same seed', async () => {
    const logsOf = async (): Promise<ConnectorEvent[][]> => {
      const logs: ConnectorEvent[][] = [];
      const connector = (options: ConnectorOptions): PostgresConnector => {
        const made = createPostgresConnector(url, options);
        logs.push(made.events);
        return made;
      };
      // Slow connects left out to keep this determinism run within its time budget (with them it
      // went past 60 s on a loaded machine); the real-server adapter suite (adapters/pg-pool.test.ts)
      // checks pg-pool's slow connects, which land by I/O.
      // What needs a connect in flight (a close or terminate during one) goes with them.
      const { closeDuringConnect: _close, terminateDuringConnect: _terminate, ...capabilities } = capabilitiesOf(pgPoolSemantics);
      const semantics = { ...pgPoolSemantics, capabilities: { ...capabilities, slowConnect: false } };
      const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool, semantics }) as PoolAdapter, connector, numRuns: 3, seed: 5 });
      expect(result.passed, formatResult(result)).toBe(true);
      return logs;
    };
    const first = await logsOf();
    expect(first.flat().filter((e) => e.type === 'create').length).toBeGreaterThan(0);
    expect(await logsOf()).toEqual(first);
  });

  it('fails a pool whose connection only the server sees, as server-disagrees, shrunk to one acquire', async () => {
    const result = await check({ adapter: poolWithAHiddenConnection(), connector: postgresConnector(url, { verifyTimeoutMs: 100 }), numRuns: 5, seed: 7 });
    const failure = expectCaught(result, 'server-disagrees', /^the server lists 2 backend\(s\) with application_name 'poolcheck-\d+-\d+-\d+' in pg_stat_activity, the connector 1 open connection\(s\): backend pid \d+ at the server belong to no open connection$/);
    expect(failure.commandList, formatResult(result)).toEqual([{ op: 'acquire' }]);
    expect(failure.reproduced).toBe(true);
    const failing = failure.steps.filter((s) => s.violation !== undefined).map((s) => s.command);
    expect(failing).toEqual(['server check after acquire()']);
  });
});
