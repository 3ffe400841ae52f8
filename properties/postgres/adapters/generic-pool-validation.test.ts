import genericPool from 'generic-pool';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { genericPoolAdapter } from '../../../src/adapters/generic-pool.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import { formatResult } from '../../../src/report/text.js';
import { check } from '../../../src/runner/check.js';
import { PG_SEED, pgConnector, pgRuns } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';

const server = postgresServer();
afterEach(() => uninstallAllClocks());

// generic-pool with testOnBorrow checks for no acquire of its own (`serves: 'queue-head'`); on a
// real server connects land by I/O, after the look a failed check makes at once.
describe.skipIf(server.url === null)(titled('generic-pool with its validation on, on PostgreSQL', server), () => {
  vi.setConfig({ testTimeout: 170_000 });
  it(`its declared semantics hold over ${pgRuns()} runs`, async () => {
    const result = await check({ adapter: genericPoolAdapter({ genericPool, validation: true }) as PoolAdapter, connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
