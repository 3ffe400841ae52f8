import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { configArbFromRanges, type ConfigRanges, type Range } from '../src/runner/config-ranges.js';
import { cli } from './support/cli.js';
import { checkRangesFit } from '../src/cli/ranges.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { asyncpgSemantics } from '../src/model/semantics.js';

afterEach(() => uninstallAllClocks());

const NO_MINIMUM = 'fixtures/user-adapter/no-minimum-pool.mjs';
const OFF_BY_ONE = 'fixtures/mutants/off-by-one-lifetime.ts';

const rangeArb = (low: number, high: number): fc.Arbitrary<Range> =>
  fc.tuple(fc.integer({ min: low, max: high }), fc.integer({ min: low, max: high })).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));

describe('configuration ranges', () => {
  it('draws every configuration inside the ranges given, and a valid pool size', () => {
    const rangesArb = fc
      .record({ minSize: rangeArb(0, 6), maxSize: rangeArb(1, 12), lifetimeMs: rangeArb(0, 5000), acquireTimeoutMs: rangeArb(1, 5000) }, { requiredKeys: [] })
      .filter((r) => r.maxSize === undefined || r.maxSize.max >= Math.max(1, r.minSize?.min ?? 0));
    fc.assert(
      fc.property(rangesArb, fc.integer(), (ranges: ConfigRanges, seed) => {
        for (const c of fc.sample(configArbFromRanges(ranges), { numRuns: 20, seed })) {
          const inside = (value: number | undefined, range: Range | undefined): boolean => range === undefined || (value !== undefined && value >= range.min && value <= range.max);
          expect(inside(c.minSize, ranges.minSize) && inside(c.maxSize, ranges.maxSize) && inside(c.lifetimeMs, ranges.lifetimeMs), JSON.stringify({ ranges, c })).toBe(true);
          expect(ranges.acquireTimeoutMs === undefined ? c.acquireTimeoutMs === undefined : inside(c.acquireTimeoutMs, ranges.acquireTimeoutMs)).toBe(true);
          expect(c.maxSize).toBeGreaterThanOrEqual(Math.max(1, c.minSize));
        }
      }),
      { numRuns: 200, seed: 1 },
    );
  });

  it('refuses ranges that leave no configuration', () => {
    expect(() => configArbFromRanges({ minSize: { min: 4, max: 5 }, maxSize: { min: 1, max: 3 } })).toThrow(/maxSize 1-3 leaves no room for minSize 4-5/);
  });
});

describe('ranges an adapter cannot take', () => {
  it('refuses --lifetime 0 for a pool declared never to be given 0', () => {
    const adapter = ownPoolAdapter({ name: 'no zero', semantics: { ...asyncpgSemantics, zeroLifetime: 'rejected' } });
    expect(() => checkRangesFit({ lifetimeMs: { min: 0, max: 0 } }, adapter as PoolAdapter)).toThrow("--lifetime 0: adapter 'no zero' declares that it rejects a lifetime of 0");
    expect(() => checkRangesFit({ lifetimeMs: { min: 0, max: 5 } }, adapter as PoolAdapter)).not.toThrow();
  });
});

describe('poolcheck check with --min, --max, --lifetime, --acquire-timeout', () => {
  it('checks a pool without a minimum with --min 0 alone', async () => {
    const without = await cli('check', '--adapter', NO_MINIMUM, '--runs', '50', '--seed', '1');
    expect(without.code).toBe(1);
    expect(without.out).toMatch(/it has no minimum; got minSize [1-9]/);
    const pinned = await cli('check', '--adapter', NO_MINIMUM, '--runs', '50', '--seed', '1', '--min', '0');
    expect(pinned.err).toBe('');
    expect(pinned.code).toBe(0);
    expect(pinned.out).toMatch(/^no-minimum pool: passed after 50 run\(s\)/);
  });

  it('puts the ranges in the rerun line, which reproduces the failure', async () => {
    const found = await cli('check', '--adapter', OFF_BY_ONE, '--runs', '100', '--seed', '4', '--lifetime', '1-10', '--max', '2');
    expect(found.code).toBe(1);
    expect(found.out).toMatch(/Config: minSize \d, maxSize [12], lifetime ([1-9]|10) ms/);
    const line = /cli: {4}(poolcheck check .*--seed 4 --path .*)/.exec(found.out)?.[1];
    expect(line).toContain(`--adapter ${OFF_BY_ONE} `);
    expect(line).toMatch(/ --max 2 --lifetime 1-10$/);
    const argv = [...line!.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
    const rerun = await cli(...argv);
    expect(rerun.code).toBe(1);
    expect(rerun.out).toMatch(/FAILED after 1 run\(s\)/);
  });

  it.each([
    [['--min', 'none'], "--min takes a number of connections or a range like 0-1000, each from 0 to 1000; got 'none'"],
    [['--lifetime', '10-2'], '--lifetime 10-2: the range runs low to high; write 2-10'],
    [['--max', '0'], "--max takes a number of connections or a range like 1-1000, each from 1 to 1000; got '0'"],
    [['--max', '2', '--min', '5'], "--max 2 is below --min 5: a pool's maxSize must reach its minSize (and at least 1)"],
    [['--acquire-timeout', '0'], "--acquire-timeout takes a number of ms or a range like 1-1001, each from 1 to 2147483647; got '0'"],
    [['--adapter', NO_MINIMUM, '--acquire-timeout', '5'], "--acquire-timeout: adapter 'no-minimum pool' declares no acquire timeout"],
    [['--races', '--min', '0'], '--races draws its own small configurations'],
  ])('refuses %j with a message naming the flag, exit 2, no stack', async (args, message) => {
    const run = await cli('check', ...args);
    expect(run.code).toBe(2);
    expect(run.err).toContain(message);
    expect(run.err).not.toMatch(/\n\s+at /);
  });
});
