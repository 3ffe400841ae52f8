import { afterEach, describe, expect, it } from 'vitest';
import genericPool from 'generic-pool';
import * as sequelizePool from 'sequelize-pool';
import * as tarn from 'tarn';
import { genericPoolAdapter } from '../../../src/adapters/generic-pool.js';
import { sequelizePoolAdapter } from '../../../src/adapters/sequelize-pool.js';
import { tarnAdapter } from '../../../src/adapters/tarn.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import type { CommandJson } from '../../../src/commands/json.js';
import { createPgMemConnector } from '../../../src/connectors/pgmem.js';
import { replay } from '../../../src/runner/replay.js';
import { pgConnector } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';

const server = postgresServer();
afterEach(() => uninstallAllClocks());

/*
 * A connection the server ended while idle, which generic-pool, tarn and sequelize-pool never hear
 * of: on PostgreSQL the connector terminates its backend, and the next check of it fails, or,
 * where the pool checks nothing, the query on the connection the acquire got fails, as on pg-mem.
 */
// With the one connection broken while idle, the next acquire gets a new one where the pool checks
// (its check of #1 failed), or #1 itself, whose query then fails.
const adapters: readonly [string, () => PoolAdapter, number][] = [
  ['generic-pool', () => genericPoolAdapter({ genericPool }) as PoolAdapter, 1],
  ['generic-pool with testOnBorrow', () => genericPoolAdapter({ genericPool, validation: true }) as PoolAdapter, 2],
  ['tarn', () => tarnAdapter({ Pool: tarn.Pool }) as PoolAdapter, 1],
  ['tarn with a validate', () => tarnAdapter({ Pool: tarn.Pool, validation: true }) as PoolAdapter, 2],
  ['sequelize-pool', () => sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter, 1],
  ['sequelize-pool with a validate', () => sequelizePoolAdapter({ Pool: sequelizePool.Pool, validation: true }) as PoolAdapter, 2],
];

const config = { minSize: 0, maxSize: 1, lifetimeMs: 1000, acquireTimeoutMs: 5000 };
// Then the connection is released and expires: the pool closes it, broken or not.
const steps = (got: number): CommandJson[] => [
  { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'breakIdle', connection: 1 }, { op: 'acquire' },
  { op: 'query', connection: got, sql: 'SELECT 1' }, { op: 'release', connection: got }, { op: 'sleep', ms: 3000 },
];

describe.skipIf(server.url === null)(titled('a break the pool does not hear of, on PostgreSQL', server), () => {
  it.each(adapters)('%s: the same steps and answers as on pg-mem', async (_name, adapter, got) => {
    const real = await replay(adapter(), config, steps(got), pgConnector());
    expect(real.violation, real.violation?.message).toBeNull();
    const mem = await replay(adapter(), config, steps(got), createPgMemConnector);
    expect(mem.violation, mem.violation?.message).toBeNull();
    const said = (r: typeof real): string[] => r.trace.map((s) => `${s.command}: ${s.predicted} | ${s.observed}`);
    expect(said(real)).toEqual(said(mem));
  });
});
