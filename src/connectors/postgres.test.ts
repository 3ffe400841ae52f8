import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../adapters/own.js';
import type { PoolAdapter } from '../adapters/types.js';
import { uninstallAllClocks } from '../clock/fake.js';
import { formatResult } from '../report/text.js';
import { check } from '../runner/check.js';
import { DefinitionError } from '../runner/violation-error.js';
import { postgresConnector } from './postgres.js';
import { describeDisagreement, describeServer, LOCAL_POSTGRES_URL, probePostgres } from './postgres-server.js';

afterEach(() => uninstallAllClocks());

describe('PostgreSQL URLs', () => {
  it('names the server without the password', () => {
    expect(describeServer('postgres://u:secret@db.example:6543/app')).toBe('db.example:6543/app');
    expect(describeServer('postgresql://u@127.0.0.1/app')).toBe('127.0.0.1:5432/app');
  });

  it('rejects what it cannot use, saying what to give instead', () => {
    expect(() => describeServer('not a url')).toThrow(DefinitionError);
    expect(() => describeServer('mysql://u@h/db')).toThrow(/'mysql:' is not a PostgreSQL URL scheme; give postgres:\/\/user:password@host:port\/database/);
    expect(() => describeServer('postgres://u@h/db?application_name=x')).toThrow(/leave application_name out of the PostgreSQL URL/);
    expect(() => postgresConnector('http://h/db')).toThrow(DefinitionError);
  });
});

describe('the server check', () => {
  const name = 'poolcheck-1-0-3';
  it('agrees when every open connection has its backend and no other backend is listed', () => {
    expect(describeDisagreement(name, new Map([[1, 100], [2, 101]]), [101, 100])).toBeNull();
    expect(describeDisagreement(name, new Map(), [])).toBeNull();
  });

  it('names a connection closed at the client only (its backend still listed), with both counts', () => {
    expect(describeDisagreement(name, new Map([[2, 101]]), [100, 101])).toBe(
      "the server lists 2 backend(s) with application_name 'poolcheck-1-0-3' in pg_stat_activity, the connector 1 open connection(s): backend pid 100 at the server belong to no open connection",
    );
  });

  it('names a connection the connector holds open whose backend is gone', () => {
    expect(describeDisagreement(name, new Map([[1, 100], [3, 102]]), [100])).toBe(
      "the server lists 1 backend(s) with application_name 'poolcheck-1-0-3' in pg_stat_activity, the connector 2 open connection(s): #3 (backend pid 102) open at the connector but gone at the server",
    );
  });
});

// The real-server suite is `npm run test:pg`; this only shows the wiring works when a server is
// already running (DATABASE_URL, else the local one scripts/postgres.sh starts). It starts none.
const url = process.env['DATABASE_URL'] || LOCAL_POSTGRES_URL;
const unreachable = await probePostgres(url, 1_000);

describe.skipIf(unreachable !== null)(`own pool on PostgreSQL, smoke${unreachable === null ? '' : ` (skipped: no server at ${describeServer(url)}: ${unreachable})`}`, () => {
  it('passes a few short runs with the server check after every command', async () => {
    const result = await check({ adapter: ownPoolAdapter() as PoolAdapter, connector: postgresConnector(url), numRuns: 1, maxCommands: 10, seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
    expect(result.commands).toBeGreaterThan(0);
  });
});
