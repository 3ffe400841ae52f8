import { Pool } from 'sequelize-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { SEQUELIZE_POOL_REAP_INTERVAL_MS, sequelizePoolAdapter, sequelizePoolSemantics, type SequelizePoolHandle } from '../../src/adapters/sequelize-pool.js';
import type { PoolAdapter } from '../../src/adapters/types.js';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { createPgMemConnector } from '../../src/connectors/pgmem.js';
import type { Connection, Connector } from '../../src/connectors/types.js';
import type { PoolConfig, Semantics } from '../../src/model/semantics.js';
import { formatResult } from '../../src/report/text.js';
import { check, runsFromEnv } from '../../src/runner/check.js';
import { DefinitionError } from '../../src/runner/violation-error.js';
import { formatSeedTable, runSeedScenario } from '../../src/scenario/index.js';
import { expectCaught } from '../support/caught.js';
import { eventLog, onFakeClock, settled, watch } from '../support/on-fake-clock.js';
import { claimingBrokenIdle, wholeIntervalLifetimes, wrongForLifoReaper, type WrongCapability } from '../support/wrong-declarations.js';
import * as sequelizePool from 'sequelize-pool';

afterEach(() => uninstallAllClocks());

const declared = sequelizePoolSemantics();
const withExpiry = (change: Partial<Semantics['expiry']>): Semantics => ({ ...declared, expiry: { ...declared.expiry, ...change } as Semantics['expiry'] });
const declaring = (semantics: Semantics): PoolAdapter => sequelizePoolAdapter({ Pool: sequelizePool.Pool, semantics }) as PoolAdapter;

describe('sequelize-pool', () => {
  it(`the declared semantics hold over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: sequelizePoolAdapter({ Pool: sequelizePool.Pool }) });
    expect(result.passed, formatResult(result)).toBe(true);
    expect(result.runs).toBe(runsFromEnv());
  });

  // Most drawn lifetimes are far from a 1000 ms interval; a shorter one puts more reaper runs
  // inside the windows.
  it(`the declared semantics hold with reapIntervalMillis 250 over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: sequelizePoolAdapter({ Pool: sequelizePool.Pool, reapIntervalMillis: 250 }) });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('rejects what it cannot check, naming it', async () => {
    expect(() => sequelizePoolAdapter({ Pool: sequelizePool.Pool, reapIntervalMillis: 0 })).toThrow(DefinitionError);
    expect(() => sequelizePoolAdapter({ Pool: sequelizePool.Pool, reapIntervalMillis: 1.5 })).toThrow(/reapIntervalMillis must be a whole number of ms >= 1, got 1.5/);
    const connector = createPgMemConnector();
    await expect(sequelizePoolAdapter({ Pool: sequelizePool.Pool }).create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 0 }, connector })).rejects.toThrow(/acquireTimeoutMs must be a whole number of ms from 1 to 2147483647, as sequelize-pool's acquireTimeoutMillis; got 0/);
  });
});

// A wrong declaration must fail, and say why. The seed keeps the suite deterministic.
describe('sequelize-pool declared wrongly', () => {
  it.each(wrongForLifoReaper(declared).map(([name, semantics, kind, message, alternatives = []]) => ({ name, semantics, kind, message, alternatives })))('$name fails', async ({ semantics, kind, message, alternatives }) => {
    // The first failing run, as drawn, proves the catch; shrinking would only shorten the trace.
    const result = await check({ adapter: declaring(semantics), seed: 2026, shrink: false });
    expectCaught(result, kind, message, ...alternatives);
  });

  // `now >= timeout`: a run exactly at release + lifetime takes the connection. Only a run that
  // lands on that millisecond tells `>` from `>=`, so the lifetimes are whole reaper intervals: a
  // release that starts the chain (nothing else idle), or one at a run, is then due exactly at a
  // later run.
  it('a strict comparison fails', async () => {
    const result = await check({ adapter: declaring(withExpiry({ compare: '>' })), configs: wholeIntervalLifetimes(SEQUELIZE_POOL_REAP_INTERVAL_MS), seed: 2026 });
    expectCaught(result, 'expired-early', /was destroyed 1 ms early: at \d+ ms, not before \d+ ms.*idle time > lifetime/);
  });
});

// A capability sequelize-pool lacks, claimed. 50 runs with a fixed seed find each within a few runs.
describe('sequelize-pool: its min refill after a discard, declared wrongly', () => {
  // destroy() ends with `_ensureMinimum()` (Pool.js:245): a discard below min is refilled at once.
  it.each<[string, Semantics, RegExp]>([
    ['no refill', { ...declared, minRefill: [] }, /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for$/],
    ['a refill only after an expiry', { ...declared, minRefill: ['after-expiry'] }, /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for and nothing since the last one called for a refill to the min of [1-3] \(declared: min floor on open connections, refilled after-expiry\)$/],
  ])('%s fails', async (_name, semantics, message) => {
    const result = await check({ adapter: declaring(semantics), seed: 2, numRuns: 50 });
    const failure = expectCaught(result, 'unexpected-create', message);
    expect(failure.reproduced, formatResult(result)).toBe(true);
    expect(failure.config.minSize, formatResult(result)).toBeGreaterThan(0);
  });
});

describe('sequelize-pool claiming a capability it lacks', () => {
  it.each<WrongCapability>([
    claimingBrokenIdle(declared, 1, 'nothing listens to an available connection, so one the server ended stays available'),
  ])('$claim fails: $why', async ({ semantics, kind, message, seed }) => {
    const result = await check({ adapter: declaring(semantics), seed, numRuns: 50 });
    const failure = expectCaught(result, kind, message);
    expect(failure.reproduced, formatResult(result)).toBe(true);
  });
});

describe('seed scenario on sequelize-pool', () => {
  // The first release (t = 0) starts the reap chain: runs at t = 1, 2, 3 ... s. At t = 5 s the
  // idle time equals the 5000 ms lifetime, which `>=` reaps. Blocked, the one overdue run fires
  // as the loop wakes and takes both.
  it('with the default 1000 ms reaper: idle 2 until t = 5 s, 0 from the run at t = 5 s', async () => {
    const table = await runSeedScenario(sequelizePoolAdapter({ Pool: sequelizePool.Pool }));
    expect(table.failure, formatSeedTable(table)).toBeNull();
    expect(formatSeedTable(table)).toBe(
      [
        'sequelize-pool: idle size after 2 connections were released at t = 0 (minSize 0, maxSize 10, lifetime 5000 ms)',
        't (s)                 0  1  2  3  4  5  6  7  8  9  10',
        'await sleep(1000)     2  2  2  2  2  0  0  0  0  0   0',
        'blocking sleep(1000)  2  2  2  2  2  2  2  2  2  2   2',
        'after the loop wakes                                 0',
      ].join('\n'),
    );
  });

  // Runs at t = 3 s and 6 s: the first one after the lifetime is at 6 s, one second late.
  it('with a 3000 ms reaper: idle 2 until the first run after t = 5 s, at t = 6 s', async () => {
    const table = await runSeedScenario(sequelizePoolAdapter({ Pool: sequelizePool.Pool, reapIntervalMillis: 3000 }));
    expect(table.failure, formatSeedTable(table)).toBeNull();
    expect(table.async, formatSeedTable(table)).toEqual([2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0]);
    expect(table.blocked, formatSeedTable(table)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(table.afterWake, formatSeedTable(table)).toBe(0);
  });
});

/*
 * What the declaration and the adapter's mapping rest on, shown on sequelize-pool itself under a
 * fake clock, so a new sequelize-pool version that changes one of them fails here by name.
 */
describe('sequelize-pool behaviour the declaration rests on', () => {
  it('reuses the most recently released connection; a run takes the longest idle first, down to min', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 1, maxSize: 3, lifetimeMs: 100 });
      const [a, b, c] = [await settled(clock, adapter.acquire(h)), await settled(clock, adapter.acquire(h)), await settled(clock, adapter.acquire(h))] as Connection[];
      adapter.release(h, a!);
      await clock.sleep(10);
      adapter.release(h, b!);
      await clock.sleep(10);
      adapter.release(h, c!);
      expect((await settled(clock, adapter.acquire(h))).id).toBe(c!.id);
      adapter.release(h, c!);
      // The chain began with the first release at t = 0; its run at t = 1000 finds all three due,
      // but may take only size - min = 2: the two idle longest.
      await clock.sleep(1000 - clock.now());
      expect(destroyedAt(connector)).toEqual([{ id: a!.id, at: 1000 }, { id: b!.id, at: 1000 }]);
      expect(adapter.counters(h)).toEqual({ idle: 1, size: 1, waiting: 0 });
      await settled(clock, adapter.close(h));
    });
  });

  it('runs the reap chain only while something is idle: the next release starts a new one', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 0, maxSize: 1, lifetimeMs: 100 });
      const conn = await settled(clock, adapter.acquire(h));
      adapter.release(h, conn);
      expect(clock.pendingTimers()).toBe(1); // the run at t = 1000
      await settled(clock, adapter.acquire(h));
      await clock.sleep(1000);
      expect(clock.pendingTimers()).toBe(0); // it found nothing idle and did not reschedule
      await clock.sleep(500);
      adapter.release(h, conn); // t = 1500: a new chain, next run at t = 2500, not 2000
      await clock.sleep(999);
      expect(adapter.counters(h).idle).toBe(1);
      await clock.sleep(1);
      expect(destroyedAt(connector)).toEqual([{ id: conn.id, at: 2500 }]);
      expect(clock.pendingTimers()).toBe(0);
    });
  });

  it('takes idleTimeoutMillis 0 as "due at once": the next run reaps the connection', async () => {
    await onFakeClock(async (clock, connector) => {
      const pool = new Pool<Connection>({ create: () => connector.connect(), destroy: (c) => c.close(), validate: () => true, min: 0, max: 1, idleTimeoutMillis: 0 });
      pool.release(await settled(clock, pool.acquire()));
      await clock.sleep(999);
      expect(pool.available).toBe(1);
      await clock.sleep(1);
      expect(pool.available).toBe(0);
      expect(destroyedAt(connector)).toEqual([{ id: 1, at: 1000 }]);
    });
  });

  it('counts a create in flight in `size`, as poolcheck\'s size does, so the adapter reports it', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 0, maxSize: 1, lifetimeMs: 100 });
      const pending = adapter.acquire(h);
      expect(h.pool.size).toBe(1);
      expect(connector.liveIds()).toEqual([]);
      expect(adapter.counters(h)).toEqual({ idle: 0, size: 1, waiting: 1 });
      await settled(clock, pending);
      expect(adapter.counters(h)).toEqual({ idle: 0, size: 1, waiting: 0 });
    });
  });

  it('drain() polls every 100 ms while a connection is borrowed, and keeps the idle ones open', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 0, maxSize: 2, lifetimeMs: 60_000 });
      const [a, b] = [await settled(clock, adapter.acquire(h)), await settled(clock, adapter.acquire(h))];
      adapter.release(h, a);
      let drained = false;
      void h.pool.drain().then(() => (drained = true));
      await expect(h.pool.acquire()).rejects.toThrow(/pool is draining/);
      adapter.release(h, b);
      await clock.settle();
      expect({ drained, live: connector.liveIds() }).toEqual({ drained: false, live: [a.id, b.id] });
      await clock.sleep(100);
      expect(drained).toBe(true);
      await settled(clock, h.pool.destroyAllNow());
      expect(connector.liveIds()).toEqual([]);
    });
  });

  // `minRefill: ['after-discard']`: `_ensureMinimum()` in destroy's `finally` (Pool.js:245).
  it('destroy() of a connection in use opens a new one at once when that leaves the pool below min', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 1, maxSize: 2, lifetimeMs: 60_000 });
      const conn = await settled(clock, adapter.acquire(h));
      await settled(clock, adapter.destroy!(h, conn));
      await clock.settle();
      expect({ log: eventLog(connector), counters: adapter.counters(h) }).toEqual({ log: ['create #1 at 0', 'destroy #1 at 0', 'create #2 at 0'], counters: { idle: 1, size: 1, waiting: 0 } });
      await settled(clock, adapter.close(h));
    });
  });

  // failedConnect: a failed create rejects the head of the queue and the next waiter gets a create.
  it('a failed create rejects the first waiting acquire, and the next one is served by a new connection', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 0, maxSize: 1, lifetimeMs: 60_000 });
      connector.faults?.failNextConnect();
      const first = watch(adapter.acquire(h));
      const second = watch(adapter.acquire(h));
      await clock.settle();
      expect({ first: first.now, second: second.now, log: eventLog(connector) }).toEqual({ first: expect.stringMatching(/^rejected: .*connect failed/) as unknown, second: 'served', log: ['connect-failed #0 at 0', 'create #1 at 0'] });
    });
  });

  // Why closeRejectsWaiters is off: drain() dispenses to the queue while it polls (Pool.js:256-262).
  it('drain() serves a waiting acquire instead of rejecting it', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 0, maxSize: 1, lifetimeMs: 60_000 });
      const lent = await settled(clock, adapter.acquire(h));
      const waiter = watch(adapter.acquire(h));
      void h.pool.drain();
      await clock.sleep(100);
      expect(waiter.now).toBe('pending');
      h.pool.release(lent);
      await clock.settle();
      expect(waiter.now).toBe('served');
    });
  });

  it('the adapter: close waits for the last release; terminate closes borrowed ones too and refills nothing', async () => {
    await onFakeClock(async (clock, connector) => {
      const { h, adapter } = await adapterPool(connector, { minSize: 2, maxSize: 3, lifetimeMs: 100 });
      const conns = [await settled(clock, adapter.acquire(h)), await settled(clock, adapter.acquire(h)), await settled(clock, adapter.acquire(h))];
      adapter.release(h, conns[0]!);
      let closed = false;
      void adapter.close(h).then(() => (closed = true));
      await clock.settle();
      expect(closed).toBe(false);
      await settled(clock, adapter.terminate(h));
      await clock.settle(() => closed);
      expect({ closed, live: connector.liveIds(), opened: connector.events.filter((e) => e.type === 'create').length, timers: clock.pendingTimers() }).toEqual({ closed: true, live: [], opened: 3, timers: 0 });
    });
  });
});

async function adapterPool(connector: Connector, config: PoolConfig): Promise<{ h: SequelizePoolHandle; adapter: PoolAdapter<SequelizePoolHandle, Connection> }> {
  const adapter = sequelizePoolAdapter({ Pool: sequelizePool.Pool });
  return { h: await adapter.create({ config, connector }), adapter };
}

function destroyedAt(connector: Connector): { id: number; at: number }[] {
  return connector.events.filter((e) => e.type === 'destroy').map((e) => ({ id: e.id, at: e.at }));
}

/*
 * sequelize-pool with a `validate` that asks the connection: `_dispense` checks, synchronously,
 * the available resource it hands out, a released one on its way to a waiter among them; a new
 * resource goes to its acquire unchecked.
 */
describe('sequelize-pool with its validation on', () => {
  const adapter = sequelizePoolAdapter({ Pool, validation: true });

  it('declares a sync check of idle and handed-over connections', () => {
    expect(adapter.semantics).toMatchObject({ validation: { check: 'sync', alsoChecks: ['released'] }, capabilities: { failedValidation: true } });
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`passes on seed ${seed}, declared so`, async () => {
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    });
  }

  it('declared as checking idle connections only, it fails with the reason', async () => {
    const declared = adapter.semantics;
    const wrong = sequelizePoolAdapter({ Pool, validation: true, semantics: { ...declared, validation: 'sync' } });
    expectCaught(await check({ adapter: wrong, seed: 1 }), 'wrong-connection', /should have been handed #\d+ as it was released, got a new connection #\d+/, ['count-mismatch', /the model expected/], ['handed-out-destroyed', /failed its validation|was destroyed/]);
  });

  it('a validate function of the user\'s own is refused, with what to pass instead', () => {
    expect(() => sequelizePoolAdapter({ Pool, options: { validate: () => true } })).toThrow(DefinitionError);
    expect(() => sequelizePoolAdapter({ Pool, options: { validate: () => true } })).toThrow(/options.validate would fail as your function decides.*sequelizePoolAdapter\(\{ validation: true \}\)/);
  });
});
