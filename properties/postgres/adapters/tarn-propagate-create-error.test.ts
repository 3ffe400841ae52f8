import { afterEach, describe, expect, it, vi } from 'vitest';
import { tarnAdapter } from '../../../src/adapters/tarn.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import { formatResult } from '../../../src/report/text.js';
import { check } from '../../../src/runner/check.js';
import { PG_SEED, pgConnector, pgRuns } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';
import * as tarn from 'tarn';

const server = postgresServer();
afterEach(() => uninstallAllClocks());

// tarn with `propagateCreateError: true`: a failed create rejects the head of the queue and is
// still retried. On a real server a successful connect lands by I/O, after the failure's catch.
describe.skipIf(server.url === null)(titled('tarn with propagateCreateError, on PostgreSQL', server), () => {
  vi.setConfig({ testTimeout: 170_000 });
  it.each([false, true])(`its declared semantics hold over ${pgRuns()} runs, validation %s`, async (validation) => {
    const adapter = tarnAdapter({ Pool: tarn.Pool, validation, options: { propagateCreateError: true } }) as PoolAdapter;
    const result = await check({ adapter, connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
