import type { ViolationKind } from '../../src/model/violation.js';
import { afterEach, describe, expect, it } from 'vitest';
import { pgPoolAdapter, pgPoolSemantics } from '../../src/adapters/pg-pool.js';
import { installFakeClock, uninstallAllClocks } from '../../src/clock/fake.js';
import { createPgMemConnector } from '../../src/connectors/pgmem.js';
import type { Semantics } from '../../src/model/semantics.js';
import { formatResult } from '../../src/report/text.js';
import { check, runsFromEnv } from '../../src/runner/check.js';
import { formatSeedTable, runSeedScenario } from '../../src/scenario/index.js';
import { expectCaught } from '../support/caught.js';

afterEach(() => uninstallAllClocks());

// A fixed seed for the wrong declarations, so the suite is deterministic; each is also caught with
// seeds 2 and 3.
const SEED = 1;

describe('pg-pool 3.14 on pg-mem', () => {
  it(`its declared semantics hold over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: pgPoolAdapter() });
    expect(result.passed, formatResult(result)).toBe(true);
    expect(result.runs).toBe(runsFromEnv());
  });
});

describe('a wrong declaration for pg-pool fails with an explanation', () => {
  const wrong: readonly { field: string; semantics: Partial<Semantics>; kind: ViolationKind; message: RegExp; step: RegExp; why: string }[] = [
    {
      field: 'reuse',
      semantics: { reuse: 'fifo' },
      kind: 'wrong-connection',
      message: /^acquire should reuse #\d+ \(FIFO\), got #\d+$/,
      step: /^acquire\(\)$/,
      why: 'pg-pool pushes released clients and pops the most recent one',
    },
    {
      field: 'min',
      semantics: { min: 'ignored' },
      kind: 'outlived',
      message: /^connection #\d+, idle since \d+ ms, outlived its \d+ ms lifetime/,
      step: /sleep\(/,
      why: 'pg-pool keeps an idle client whose timer comes due while the pool is not above min',
    },
    {
      field: 'handoff',
      semantics: { handoff: 'macrotask' },
      kind: 'outlived',
      message: /^connection #\d+, idle since \d+ ms, outlived its \d+ ms lifetime/,
      step: /^blockingSleep\(\d+\).*, then acquire\(\)$/,
      why: 'pg-pool hands an idle client out on process.nextTick, before the overdue timer runs',
    },
  ];

  it.each(wrong)('$field: $why', async ({ semantics, kind, message, step }) => {
    const result = await check({ adapter: pgPoolAdapter({ name: 'pg-pool (wrong)', semantics: { ...pgPoolSemantics, ...semantics } }), seed: SEED });
    const report = formatResult(result);
    const failure = expectCaught(result, kind, message);
    expect(failure.reproduced, report).toBe(true);
    const failing = failure.steps.find((s) => s.violation !== undefined);
    expect(failing?.command, report).toMatch(step);
    // Only a pool with a min can show that the min is not ignored.
    if (semantics.min === 'ignored') expect(failure.config.minSize, report).toBeGreaterThan(0);
  });
});

describe('the seed scenario on pg-pool: a per-connection timer, like the own pool', () => {
  it('prints 2 until the lifetime then 0 with await sleep, and 2 until the blocked loop wakes', async () => {
    const table = await runSeedScenario(pgPoolAdapter());
    const text = formatSeedTable(table);
    expect(table.failure, text).toBeNull();
    expect(table.async, text).toEqual([2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    expect(table.blocked, text).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(table.afterWake, text).toBe(0);
    expect(text).toBe(
      [
        'pg-pool: idle size after 2 connections were released at t = 0 (minSize 0, maxSize 10, lifetime 5000 ms)',
        't (s)                 0  1  2  3  4  5  6  7  8  9  10',
        'await sleep(1000)     2  2  2  2  2  0  0  0  0  0   0',
        'blocking sleep(1000)  2  2  2  2  2  2  2  2  2  2   2',
        'after the loop wakes                                 0',
      ].join('\n'),
    );
  });
});

describe("pg-pool's end(), which the adapter maps close to", () => {
  // The harness never queues an acquire (it acquires only with capacity), so this is pinned here:
  // end() waits for lent clients but leaves queued acquires pending for ever (index.js:133-145).
  it('waits for a lent client, then resolves with a queued acquire still pending', async () => {
    const clock = installFakeClock();
    try {
      const adapter = pgPoolAdapter();
      const pool = await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: createPgMemConnector({ now: () => clock.now() }) });
      let lent: unknown = null;
      void adapter.acquire(pool).then((client) => (lent = client));
      expect((await clock.settle(() => lent !== null)).ok).toBe(true);
      let queued = 'pending';
      adapter.acquire(pool).then(
        () => (queued = 'resolved'),
        () => (queued = 'rejected'),
      );
      let ended = false;
      void adapter.close(pool).then(() => (ended = true));
      await clock.settle();
      expect({ ended, queued, ...adapter.counters(pool) }).toEqual({ ended: false, queued: 'pending', idle: 0, size: 1, waiting: 1 });
      adapter.release(pool, lent as Parameters<typeof adapter.release>[1]);
      expect((await clock.settle(() => ended)).ok).toBe(true);
      expect({ ended, queued, ...adapter.counters(pool) }).toEqual({ ended: true, queued: 'pending', idle: 0, size: 0, waiting: 1 });
    } finally {
      clock.uninstall();
    }
  });
});
