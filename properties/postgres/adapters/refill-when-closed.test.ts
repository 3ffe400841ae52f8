import { afterEach, describe, expect, it, vi } from 'vitest';
import { serverMutants } from '../../../fixtures/mutants/index.js';
import { ownRefillWhenClosedAdapters } from '../../../fixtures/pools/own-refill-when-closed.js';
import { ownPoolAdapter, ownPoolSemantics } from '../../../src/adapters/own.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import type { Semantics } from '../../../src/model/semantics.js';
import { formatResult } from '../../../src/report/text.js';
import { check } from '../../../src/runner/check.js';
import { replay } from '../../../src/runner/replay.js';
import { expectCaughtAmong } from '../../support/caught.js';
import { PG_SEED, pgConnector, pgRuns } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';

const server = postgresServer();

afterEach(() => uninstallAllClocks());

// Each seed runs until the mutant is caught, then shrinks, over real connections.
vi.setConfig({ testTimeout: 600_000 });

/*
 * A refill after a discard decided once the close has completed (`discardRefill: 'when-closed'`)
 * on a server, whose close completes by I/O: after a connect refused at once in the same call,
 * which no longer counts. The own pool's `refillWhenClosed` does it; a pool that decides at the
 * discard instead is caught only here, since in process both orders are right.
 */
describe.skipIf(server.url === null)(titled('a refill decided when the close completes, on PostgreSQL', server), () => {
  const config = { minSize: 1, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 1 };
  const failedCheckThenRefused = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'acquire' }];
  const options = { minRefill: ['after-discard'] as const, refillWhenClosed: true, validation: 'sync' as const };

  it('the own pool refills after the close, the refused connect seen: #2 opens', async () => {
    const run = await replay(ownPoolAdapter(options) as PoolAdapter, config, failedCheckThenRefused, pgConnector());
    expect(run.violation, run.violation?.message).toBeNull();
    expect((run.timeline?.events ?? []).filter((e) => e.type === 'create').map((e) => e.id)).toEqual([1, 2]);
  });

  it('declared as deciding at the discard, it fails with the reason', async () => {
    const atDiscard: Semantics = { ...ownPoolSemantics(options), discardRefill: 'at-discard' };
    const run = await replay(ownPoolAdapter({ ...options, semantics: atDiscard }) as PoolAdapter, config, failedCheckThenRefused, pgConnector());
    expect(run.violation?.kind).toBe('unexpected-create');
    expect(run.violation?.message).toMatch(/the pool opened connection #2 at 0 ms, which no acquire asked for/);
  });

  it.each(Object.entries(ownRefillWhenClosedAdapters).slice(0, 2))(`the own pool (%s) passes over ${pgRuns()} runs`, async (_name, adapter) => {
    const result = await check({ adapter, connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each(serverMutants.map((m) => [m.file, m] as const))('%s is caught on seeds 1-5 at the default runs, shrunk short', async (_file, mutant) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = await check({ adapter: mutant.adapter, connector: pgConnector(), seed });
      expect(expectCaughtAmong(result, mutant.catches).length, formatResult(result)).toBeLessThanOrEqual(6);
    }
  });
});
