import type { ViolationKind } from '../../src/model/violation.js';
import { afterEach, describe, expect, it } from 'vitest';
import { pgPoolAdapter, pgPoolSemantics } from '../../src/adapters/pg-pool.js';
import { installFakeClock, uninstallAllClocks } from '../../src/clock/fake.js';
import { createPgMemConnector } from '../../src/connectors/pgmem.js';
import { capabilitiesOf, type Semantics } from '../../src/model/semantics.js';
import { formatResult } from '../../src/report/text.js';
import { check, runsFromEnv } from '../../src/runner/check.js';
import { formatSeedTable, runSeedScenario } from '../../src/scenario/index.js';
import { expectCaught } from '../support/caught.js';
import { eventLog, onFakeClock, settled, watch } from '../support/on-fake-clock.js';
import { claiming } from '../support/wrong-declarations.js';
import PgPool from 'pg-pool';

afterEach(() => uninstallAllClocks());

// A fixed seed for the wrong declarations, so the suite is deterministic; each is also caught with
// seeds 2 and 3.
const SEED = 1;

describe('pg-pool 3.14 on pg-mem', () => {
  it(`its declared semantics hold over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool }) });
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
      message: /^acquire #\d+ should reuse #\d+( or #\d+)* \((LIFO|FIFO)\), got #\d+$/,
      step: /^acquire\(\)$/,
      why: 'pg-pool pushes released clients and pops the most recent one',
    },
    {
      field: 'minFloor',
      semantics: { minFloor: 'none' },
      kind: 'outlived',
      message: /^connection #\d+, idle since \d+ ms, outlived its \d+ ms lifetime/,
      step: /[sS]leep\(/,
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
    const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool, name: 'pg-pool (wrong)', semantics: { ...pgPoolSemantics, ...semantics } }), seed: SEED });
    const report = formatResult(result);
    const failure = expectCaught(result, kind, message);
    expect(failure.reproduced, report).toBe(true);
    const failing = failure.steps.find((s) => s.violation !== undefined);
    expect(failing?.command, report).toMatch(step);
    // Only a pool with a min can show that the min is not ignored.
    if (semantics.minFloor === 'none') expect(failure.config.minSize, report).toBeGreaterThan(0);
  });
});

// connectionTimeoutMillis bounds the wait and the connect, and each new client's connect has its
// own timer of that length (index.js:219-225, 250-263): each other reading of it fails.
describe('pg-pool\'s acquire timeout declared wrongly fails with an explanation', () => {
  const { lateConnect: _late, ...waitOnly } = capabilitiesOf(pgPoolSemantics);
  it.each<{ claim: string; semantics: Semantics; kind: ViolationKind; message: RegExp; alternatives?: readonly (readonly [ViolationKind, RegExp])[]; why: string }>([
    {
      claim: 'covers the wait only',
      semantics: { ...pgPoolSemantics, capabilities: { ...waitOnly, acquireTimeoutCovers: 'wait' } },
      kind: 'waiter-not-served',
      message: /^acquire #\d+ should have been served \(#\d+ gets a new connection\) but was rejected: Error: Connection terminated due to connection timeout$/,
      why: 'a connect slower than the timeout fails its acquire',
    },
    {
      claim: 'a late connect kept',
      semantics: claiming(pgPoolSemantics, { lateConnect: 'kept' }),
      kind: 'expired-early',
      message: /^connection #\d+, idle since \d+ ms, was destroyed \d+ ms early/,
      // Or, with a waiter behind it, the pool opens a new connection for the waiter the claim
      // has served with the landed one.
      alternatives: [['unexpected-create', /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for$/]],
      why: 'a connect still in flight at its own timeout is closed as it lands',
    },
    {
      claim: 'a late connect closed at the acquire\'s deadline',
      semantics: claiming(pgPoolSemantics, { lateConnect: 'closed' }),
      kind: 'waiter-not-served',
      message: /^acquire #\d+ should have been served \(#\d+ gets a new connection\) but was rejected: Error: timeout exceeded when trying to connect$/,
      // Or the pool still counts the connection the claim has it close at the deadline.
      alternatives: [['count-mismatch', /^the pool reported idle=\d+ size=(\d+) waiting=\d+, the model expected idle=\d+ size=(?!\1)\d+ waiting=\d+$/]],
      why: 'a waiter\'s connect keeps its capacity until its own timer, which the next waiter does not get sooner',
    },
  ])('$claim: $why', async ({ semantics, kind, message, alternatives = [] }) => {
    const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool, name: 'pg-pool (wrong timeout)', semantics }), seed: SEED });
    const failure = expectCaught(result, kind, message, ...alternatives);
    expect(failure.reproduced, formatResult(result)).toBe(true);
    expect(failure.config.acquireTimeoutMs, formatResult(result)).toBeDefined();
    expect(failure.steps.some((s) => /slowNextConnect/.test(s.command)), formatResult(result)).toBe(true);
  });
});

describe('the seed scenario on pg-pool: a per-connection timer, like the own pool', () => {
  it('prints 2 until the lifetime then 0 with await sleep, and 2 until the blocked loop wakes', async () => {
    const table = await runSeedScenario(pgPoolAdapter({ Pool: PgPool }));
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

describe('a capability pg-pool lacks, claimed, fails with an explanation', () => {
  // end() never settles a queued acquire (index.js:133-145, 488-499): the waiter is still pending
  // when the close is done. The seed finds it in a few runs; seeds 2 and 3 do too.
  it('closeRejectsWaiters: end() leaves a queued acquire pending', async () => {
    const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool, name: 'pg-pool (claims closeRejectsWaiters)', semantics: claiming(pgPoolSemantics, { closeRejectsWaiters: true }) }), seed: SEED, numRuns: 50 });
    const failure = expectCaught(result, 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/);
    expect(failure.reproduced, formatResult(result)).toBe(true);
    expect(failure.steps.some((s) => / waits/.test(s.observed)), formatResult(result)).toBe(true);
  });
});

describe('pg-pool on the pg-mem client: faults', () => {
  it('drops an idle client whose connection the server ended, on the client\'s error event', async () => {
    await onFakeClock(async (clock, connector) => {
      const adapter = pgPoolAdapter({ Pool: PgPool });
      const pool = await adapter.create({ config: { minSize: 0, maxSize: 2, lifetimeMs: 0 }, connector });
      const client = await settled(clock, adapter.acquire(pool));
      adapter.release(pool, client);
      expect(adapter.counters(pool)).toEqual({ idle: 1, size: 1, waiting: 0 });
      expect(connector.faults?.breakConnection(client.poolcheckId)).toBe(true);
      await clock.settle();
      expect(adapter.counters(pool)).toEqual({ idle: 0, size: 0, waiting: 0 });
      expect(connector.events.map((e) => `${e.type} #${e.id}`)).toEqual(['create #1', 'break #1', 'destroy #1']);
      const next = await settled(clock, adapter.acquire(pool));
      expect(next.poolcheckId).toBe(2);
      adapter.release(pool, next);
      await settled(clock, adapter.close(pool));
    });
  });

  // connectionTimeoutMillis bounds a new client's connect too (index.js:250-263): the acquire
  // fails at the timeout though the pool is below max, and the connection, once it opens, is
  // closed at once.
  it('with an acquire timeout, a slower connect fails the acquire below max, as connectionTimeoutMillis does', async () => {
    await onFakeClock(async (clock, connector) => {
      const adapter = pgPoolAdapter({ Pool: PgPool });
      const pool = await adapter.create({ config: { minSize: 0, maxSize: 2, lifetimeMs: 0, acquireTimeoutMs: 300 }, connector });
      connector.faults?.delayNextConnect(1000);
      const acquire = watch(adapter.acquire(pool));
      await clock.sleep(299);
      expect(acquire.now).toBe('pending');
      await clock.sleep(1);
      expect(acquire.now).toMatch(/^rejected: Connection terminated due to connection timeout$/);
      expect(adapter.counters(pool)).toEqual({ idle: 0, size: 0, waiting: 0 });
      await clock.sleep(700);
      expect(eventLog(connector)).toEqual(['create #1 at 1000', 'destroy #1 at 1000']);
      await settled(clock, adapter.close(pool));
    });
  });

  // pg-pool's floor is `_clients.length > min` (index.js:123-125), and a client joins `_clients`
  // before its connect (index.js:242): an idle client's timer fires while a connect is in flight,
  // as if that connect had already succeeded, and when it fails the pool is left below min.
  // poolcheck's model counts connects in flight toward a floor too, so a run allows this; it is
  // pinned here because it is how a pg-pool ends up below its min.
  it('counts a client still connecting toward min, so a failed connect leaves the pool below min', async () => {
    await onFakeClock(async (clock, connector) => {
      const adapter = pgPoolAdapter({ Pool: PgPool });
      const pool = await adapter.create({ config: { minSize: 1, maxSize: 2, lifetimeMs: 10 }, connector });
      const first = await settled(clock, adapter.acquire(pool));
      connector.faults?.delayNextConnect(50);
      connector.faults?.failNextConnect();
      const second = watch(adapter.acquire(pool));
      adapter.release(pool, first);
      await clock.sleep(10);
      expect(adapter.counters(pool)).toEqual({ idle: 0, size: 1, waiting: 0 });
      await clock.sleep(40);
      expect(second.now).toMatch(/^rejected: .*connect failed/);
      expect(adapter.counters(pool)).toEqual({ idle: 0, size: 0, waiting: 0 });
      expect(eventLog(connector)).toEqual(['create #1 at 0', 'destroy #1 at 10', 'connect-failed #0 at 50']);
      await settled(clock, adapter.close(pool));
    });
  });

  it('refuses an acquire timeout of 0, which pg-pool would read as none', async () => {
    await expect(pgPoolAdapter({ Pool: PgPool }).create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0, acquireTimeoutMs: 0 }, connector: createPgMemConnector() })).rejects.toThrow(/acquireTimeoutMs must be a whole number of ms from 1 to 2147483647, as pg-pool's connectionTimeoutMillis; got 0/);
  });
});

describe("pg-pool's end(), which the adapter maps close to", () => {
  // The harness never closes while acquires wait (pg-pool does not declare closeRejectsWaiters),
  // so this is pinned here: end() waits for lent clients but leaves queued acquires pending for
  // ever (index.js:133-145).
  it('waits for a lent client, then resolves with a queued acquire still pending', async () => {
    const clock = installFakeClock();
    try {
      const adapter = pgPoolAdapter({ Pool: PgPool });
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


// With idle clients pg-pool only queues a burst's acquires and opens the clients it needs on the
// next tick (index.js:199-233), so a waiter's timer is set before the connect ahead of it. Claimed
// the other way, a failing connect and that waiter's timeout at one instant are taken in the wrong
// order. The tie needs a connect as long as the timeout in a burst, which the generator draws
// often for pools that declare burstConnects; seed 2 draws it within 200 runs.
describe('pg-pool\'s burst connects declared in-call fail with an explanation', () => {
  it('the waiter is predicted served by the retry, and pg-pool times it out first', async () => {
    const semantics = claiming(pgPoolSemantics, { burstConnects: 'in-call' });
    const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool, name: 'pg-pool (connects claimed in-call)', semantics }), seed: 2 });
    const failure = expectCaught(result, 'waiter-not-served', /^acquire #\d+ should have been served \(#\d+ gets a new connection\) but was rejected: Error: timeout exceeded when trying to connect$/);
    expect(failure.reproduced, formatResult(result)).toBe(true);
    expect(failure.steps.some((s) => /burst/.test(s.command)), formatResult(result)).toBe(true);
  });
});
