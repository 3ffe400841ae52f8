import { describe, vi } from 'vitest';
import { ownMinAdapters } from '../../../fixtures/pools/own-min.js';
import { poolProperties } from '../../../src/vitest.js';
import { PG_SEED, pgConnector, pgRuns } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';

/*
 * The own pool refilling after a discard and at each acquire, with its failed connects on: a
 * real server fails a connect by I/O, well after the synchronous stretch in which the pool
 * decides its refill, which is what the model's rule for a refill and a failed connect says.
 */
const name = 'refill after discard and at acquire';
const adapter = ownMinAdapters[name]!;
const server = postgresServer();
// The runs happen in poolProperties' beforeAll; on a busy machine they outlast the default hook timeout.
vi.setConfig({ hookTimeout: 170_000 });
describe.skipIf(server.url === null)(titled(`own, ${name}, on PostgreSQL`, server), () => {
  poolProperties(adapter, { connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
});
