import { afterEach, describe, expect, it } from 'vitest';
import PgPool from 'pg-pool';
import { adapter as checkBypassed } from '../fixtures/mutants/unnoticed-check-bypassed.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import { pgPoolAdapter, pgPoolSemantics } from '../src/adapters/pg-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check, runsFromEnv } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';
import { claiming } from './support/wrong-declarations.js';

afterEach(() => uninstallAllClocks());

/*
 * A connection the server ends while it is idle, which the pool never hears of (`brokenIdle:
 * 'unnoticed'`): the own pool with `ignoresBreaks`, as generic-pool, tarn and sequelize-pool
 * behave (their adapter tests check them so).
 */
const SEEDS = [1, 2, 3, 4, 5];

describe('a pool that never hears of a break, declared so', () => {
  it.each([
    ['checking nothing: the acquire gets it, and its query fails', undefined],
    ['with a synchronous check, which fails for it', 'sync' as const],
    ['with an async check, which fails for it', 'async' as const],
  ])(`passes seeds 1-5 over ${runsFromEnv()} runs, %s`, async (_name, validation) => {
    const adapter = ownPoolAdapter({ ignoresBreaks: true, ...(validation === undefined ? {} : { validation }) });
    for (const seed of SEEDS) {
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    }
  });

  it('keeps the broken connection idle and counted until its check, then closes it and opens another', async () => {
    const adapter = ownPoolAdapter({ ignoresBreaks: true, validation: 'sync' });
    const steps = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'breakIdle', connection: 1 }, { op: 'acquire' }] as const;
    const result = await replay(adapter, { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, steps);
    const trace = result.trace.map((s) => `${s.command}: ${s.predicted} | ${s.observed}`);
    expect(result.violation, trace.join('\n')).toBeNull();
    expect(trace.join('\n')).toMatch(/breakIdle\(#1\): idle=1 size=1 waiting=0 \| idle=1 size=1 waiting=0\nacquire\(\): #2 gets a new connection; idle=0 size=1 waiting=0 \| #2 got #2; idle=0 size=1 waiting=0/);
  });
});

describe('a check skipped for a connection the server ended unheard', () => {
  it.each(SEEDS)('is caught on seed %i, shrunk short', async (seed) => {
    const failure = expectCaught(await check({ adapter: checkBypassed, seed }), 'handed-out-invalid', /^acquire #\d+ got connection #\d+, which failed its validation at \d+ ms; a connection that fails must be closed and another tried$/);
    expect(failure.reproduced).toBe(true);
    expect(failure.length).toBeLessThanOrEqual(6);
  });
});

/** How a pool that hears of a break, declared as not hearing of it, is explained. */
const UNHEARD = /was destroyed \d+ ms early: .*; the server had ended it, and the declared brokenIdle: 'unnoticed' keeps it idle until its expiry or its check, while a pool that closes it as it breaks is brokenIdle: true$/;

describe('declared wrongly about a break', () => {
  it('a pool that drops it at once (the own pool), declared as not hearing of it, fails: it closes the connection as it breaks', async () => {
    const adapter = ownPoolAdapter({ name: 'own (declared unnoticed)', semantics: claiming(ownPoolSemantics(), { brokenIdle: 'unnoticed' }) });
    expectCaught(await check({ adapter, seed: 1, numRuns: 50 }), 'expired-early', UNHEARD);
  });

  it('pg-pool, which drops it on the client\'s error event, declared as not hearing of it, fails', async () => {
    const adapter = pgPoolAdapter({ Pool: PgPool, name: 'pg-pool (declared unnoticed)', semantics: claiming(pgPoolSemantics, { brokenIdle: 'unnoticed' }) }) as PoolAdapter;
    expectCaught(await check({ adapter, seed: 1, numRuns: 50 }), 'expired-early', UNHEARD);
  });

  it('a pool that never hears of it, declared as dropping it, fails as kept-broken', async () => {
    const adapter = ownPoolAdapter({ ignoresBreaks: true, name: 'own, ignoring breaks (declared true)', semantics: claiming(ownPoolSemantics({ ignoresBreaks: true }), { brokenIdle: true }) });
    expectCaught(await check({ adapter, seed: 1, numRuns: 50 }), 'kept-broken', /^connection #\d+ was ended by the server at \d+ ms while idle, but the pool still held it open at \d+ ms; a broken idle connection must be dropped at once$/);
  });
});
