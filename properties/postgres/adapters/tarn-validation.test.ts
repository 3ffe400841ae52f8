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

// tarn with its validation on checks new connections too (`alsoChecks: ['opened']`); on a real
// server connects land by I/O, after the zero-delay timer a failed check arms.
describe.skipIf(server.url === null)(titled('tarn with its validation on, on PostgreSQL', server), () => {
  vi.setConfig({ testTimeout: 170_000 });
  it(`its declared semantics hold over ${pgRuns()} runs`, async () => {
    const result = await check({ adapter: tarnAdapter({ Pool: tarn.Pool, validation: true }) as PoolAdapter, connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
