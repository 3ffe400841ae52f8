import { createPool } from 'generic-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { genericPoolAdapter, genericPoolSemantics } from '../../src/adapters/generic-pool.js';
import type { PoolAdapter } from '../../src/adapters/types.js';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import type { Semantics } from '../../src/model/semantics.js';
import type { ViolationKind } from '../../src/model/violation.js';
import { formatResult } from '../../src/report/text.js';
import { check, runsFromEnv } from '../../src/runner/check.js';
import { formatSeedTable, runSeedScenario } from '../../src/scenario/index.js';
import { expectCaught } from '../support/caught.js';

afterEach(() => uninstallAllClocks());

const declared = genericPoolSemantics();
const withExpiry = (change: Partial<Semantics['expiry']>): Semantics => ({ ...declared, expiry: { ...declared.expiry, ...change } as Semantics['expiry'] });

describe('generic-pool with its idle evictor on', () => {
  it(`the declared semantics hold over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: genericPoolAdapter() });
    expect(result.passed, formatResult(result)).toBe(true);
    expect(result.runs).toBe(runsFromEnv());
  });
});

// A wrong declaration must fail, and say why. The seed keeps the suite deterministic.
describe('generic-pool declared wrongly', () => {
  it.each<[string, PoolAdapter, ViolationKind, RegExp]>([
    // The classic report: the idle timeout "does nothing" because generic-pool's evictor is off by
    // default (evictionRunIntervalMillis 0), while the user expects idle connections to go.
    ['eviction off, declared as expiring', genericPoolAdapter({ evictionRunIntervalMillis: 0, semantics: declared }) as PoolAdapter, 'outlived', /outlived its \d+ ms lifetime.*declared: reaper every 1000 ms/],
    ['a per-connection timer', genericPoolAdapter({ semantics: { ...declared, expiry: { kind: 'timer' } } }) as PoolAdapter, 'outlived', /outlived its \d+ ms lifetime.*declared: per-connection timer/],
    ['no cap on a run (maxPerRun null)', genericPoolAdapter({ semantics: withExpiry({ maxPerRun: null }) }) as PoolAdapter, 'outlived', /outlived its \d+ ms lifetime/],
    ['a reaper that starts on the first acquire', genericPoolAdapter({ semantics: withExpiry({ startsOn: 'first-acquire' }) }) as PoolAdapter, 'destroyed-unexpectedly', /the reaper had not started \(it starts on first-acquire\)/],
    ['armed on release only', genericPoolAdapter({ semantics: { ...declared, armsOn: 'release' } }) as PoolAdapter, 'destroyed-unexpectedly', /nothing armed its expiry/],
    ['min as a floor', genericPoolAdapter({ semantics: { ...declared, min: 'floor' } }) as PoolAdapter, 'floor-broken', /declared min floor is \d/],
    ['LIFO reuse', genericPoolAdapter({ semantics: { ...declared, reuse: 'lifo' } }) as PoolAdapter, 'wrong-connection', /acquire should reuse #\d+ \(LIFO\), got #\d+/],
  ])('%s fails', async (_name, adapter, kind, message) => {
    const result = await check({ adapter, seed: 2026 });
    expectCaught(result, kind, message);
  });
});

describe('seed scenario on generic-pool', () => {
  // The evictor runs at t = 1, 2, 3 ... s after the pool is created (with the releases, at t = 0).
  // At t = 5 s the idle time equals the 5000 ms lifetime, which `>` does not evict; the run at
  // t = 6 s does. Blocked, the one overdue run fires as the loop wakes and tests both.
  it('with a 1000 ms evictor: idle 2 until t = 5 s, 0 from the run at t = 6 s', async () => {
    const table = await runSeedScenario(genericPoolAdapter());
    expect(table.failure, formatSeedTable(table)).toBeNull();
    expect(formatSeedTable(table)).toBe(
      [
        'generic-pool: idle size after 2 connections were released at t = 0 (minSize 0, maxSize 10, lifetime 5000 ms)',
        't (s)                 0  1  2  3  4  5  6  7  8  9  10',
        'await sleep(1000)     2  2  2  2  2  2  0  0  0  0   0',
        'blocking sleep(1000)  2  2  2  2  2  2  2  2  2  2   2',
        'after the loop wakes                                 0',
      ].join('\n'),
    );
  });

  it('with eviction off (generic-pool\'s default): idle 2 forever, however the loop sleeps', async () => {
    const table = await runSeedScenario(genericPoolAdapter({ evictionRunIntervalMillis: 0 }));
    expect(table.failure, formatSeedTable(table)).toBeNull();
    expect(table.async, formatSeedTable(table)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(table.blocked, formatSeedTable(table)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(table.afterWake, formatSeedTable(table)).toBe(2);
  });
});

describe('generic-pool quirks the adapter works around', () => {
  // Why the adapter reads idle as `min(available, size - borrowed)`: clear() destroys the idle
  // resources but leaves them in `_availableObjects`. If this starts failing, generic-pool fixed it.
  it('after drain() and clear(), `available` still counts the destroyed connections', async () => {
    const destroyed: number[] = [];
    let next = 0;
    const pool = createPool({ create: () => Promise.resolve({ id: ++next }), destroy: (r: { id: number }) => Promise.resolve(void destroyed.push(r.id)) }, { max: 2 });
    const conn = await pool.acquire();
    await pool.release(conn);
    await pool.drain();
    await pool.clear();
    expect(destroyed).toEqual([1]);
    expect({ available: pool.available, size: pool.size, borrowed: pool.borrowed }).toEqual({ available: 1, size: 0, borrowed: 0 });
  });

  it('with the raw `available` as idle, the check fails on the counters after close', async () => {
    const adapter = genericPoolAdapter();
    const raw: PoolAdapter = { ...(adapter as PoolAdapter), name: 'generic-pool (raw available)', counters: (p) => { const { pool } = p as { pool: { available: number; size: number; pending: number } }; return { idle: pool.available, size: pool.size, waiting: pool.pending }; } };
    const result = await check({ adapter: raw, seed: 2026 });
    expect(result.passed, formatResult(result)).toBe(false);
    expect(result.failure?.violation.message, formatResult(result)).toMatch(/the pool reported idle=\d+ size=0/);
  });
});

describe('the adapter refuses what generic-pool would misread', () => {
  it('a lifetime of 0, which generic-pool turns into its 30 000 ms default', () => {
    expect(genericPoolAdapter().semantics.zeroLifetime).toBe('rejected');
    return expect(genericPoolAdapter().create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: undefined as never })).rejects.toThrow(/idleTimeoutMillis 0 as unset and uses its 30000 ms default/);
  });

  it('a negative evictor interval or no tests per run', () => {
    expect(() => genericPoolAdapter({ evictionRunIntervalMillis: -1 })).toThrow(/evictionRunIntervalMillis must be a whole number of ms >= 0/);
    expect(() => genericPoolAdapter({ numTestsPerEvictionRun: 0 })).toThrow(/numTestsPerEvictionRun must be a whole number >= 1/);
  });
});
