import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Mutant } from '../fixtures/mutants/index.js';
import { raceControl, raceMutants } from '../fixtures/mutants/race-index.js';
import { adapter as hangingAcquire } from '../fixtures/pools/hanging-acquire.js';
import { BUILT_IN_ADAPTERS } from '../src/adapters/registry.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { checkRaces, formatRaceResult, type RaceCheckResult } from '../src/index.js';
import { formatResult } from '../src/report/text.js';
import { check, runsFromEnv } from '../src/runner/check.js';
import { DefinitionError } from '../src/runner/violation-error.js';
import { cli } from './support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

// One fixed seed, not picked per case: each mutant is also caught with seeds 2 to 10.
const SEED = 1;
// A race run costs about as much as a whole command sequence, so fewer runs keep the suite within
// its time: half the default to catch a mutant (each is caught within 28 runs with seeds 1 to 10),
// a quarter for the pools that must pass (each also passed 3 × 2000 runs with seeds 11 to 13).
// POOLCHECK_RUNS raises both.
const RACE_RUNS = Math.ceil(runsFromEnv() / 2);
const PASS_RUNS = Math.ceil(runsFromEnv() / 4);
// The longest shrunk trace, in scheduler decisions, a race mutant may print.
const MOST_DECISIONS = 12;

describe('races: interleavings the command sequences cannot reach', () => {
  for (const mutant of raceMutants) {
    it(`the sequential check misses ${mutant.file} (${runsFromEnv()} runs, seed ${SEED})`, async () => {
      // Each command runs to completion before the next, so at most one connect is ever in flight:
      // a boolean counts one exactly, and a reset leaves the count at 0 as it should.
      const result = await check({ adapter: mutant.adapter, seed: SEED });
      expect(result.passed, formatResult(result)).toBe(true);
    });

    it(`checkRaces catches ${mutant.file} as ${mutant.catches.join(' or ')}, shrunk to a short scheduled trace`, async () => {
      const result = await caught(mutant.file);
      const report = formatRaceResult(result);
      expect(result.passed, report).toBe(false);
      const failure = result.failure;
      if (failure === null) throw new Error(`poolcheck: a failed race check without a failure record\n${report}`);
      expect(mutant.catches, report).toContain(failure.violation.kind);
      expect(failure.reproduced, report).toBe(true);
      expect(failure.decisions, report).toBeLessThanOrEqual(MOST_DECISIONS);
      expect(failure.trace.filter((line) => line.violation !== undefined), report).toHaveLength(1);
      expect(report).toContain(`checkRaces({ adapter, seed: ${SEED}, path: '${failure.path}' })`);
      console.log(`${mutant.adapter.name}: ${failure.violation.kind} after ${result.runs} run(s), shrunk to ${failure.decisions} scheduler decisions`);
    });
  }

  it('the count-reset mutant fails by the race it carries: an acquire after one connect landed, before another did', async () => {
    const result = await caught('race-opening-reset.ts');
    const report = formatRaceResult(result);
    const trace = result.failure?.trace ?? [];
    const before = trace.slice(0, trace.findIndex((line) => line.violation !== undefined));
    const opened = before.filter((line) => line.who === 'server' && line.text.startsWith('opened')).length;
    const returned = before.filter((line) => line.who === 'server' && line.text.startsWith('connect of')).length;
    expect(opened, report).toBe(result.failure?.config.maxSize);
    expect(returned, report).toBeGreaterThanOrEqual(1);
    expect(returned, report).toBeLessThan(opened);
  });

  it('the pool both mutants break passes, unbroken', async () => {
    const result = await checkRaces({ adapter: raceControl, seed: SEED, numRuns: PASS_RUNS });
    expect(result.passed, formatRaceResult(result)).toBe(true);
  });

  for (const [name, make] of Object.entries(BUILT_IN_ADAPTERS)) {
    it(`${name} passes (${PASS_RUNS} runs, seed ${SEED})`, async () => {
      const result = await checkRaces({ adapter: await make(), seed: SEED, numRuns: PASS_RUNS });
      expect(result.passed, formatRaceResult(result)).toBe(true);
      expect(result.decisions).toBeGreaterThan(PASS_RUNS * 10);
    });
  }

  it('is deterministic: the same seed gives the same verdict and trace, and the printed path reruns it in one run', async () => {
    const adapter = raceMutant('race-opening-reset.ts');
    const first = await checkRaces({ adapter, seed: 3, numRuns: RACE_RUNS });
    const second = await checkRaces({ adapter, seed: 3, numRuns: RACE_RUNS });
    expect(second.passed).toBe(first.passed);
    expect(second.runs).toBe(first.runs);
    expect(second.decisions).toBe(first.decisions);
    expect(second.failure).toEqual(first.failure);
    const path = first.failure?.path ?? '';
    const rerun = await checkRaces({ adapter, seed: 3, path });
    expect(rerun.runs, formatRaceResult(rerun)).toBe(1);
    expect(rerun.failure?.trace).toEqual(first.failure?.trace);
  });

  it('a pool that never serves a waiter is a failure with its trace, not a hung test', async () => {
    const result = await checkRaces({ adapter: hangingAcquire, seed: SEED, numRuns: 20 });
    const report = formatRaceResult(result);
    expect(result.failure?.violation.kind, report).toBe('not-settled');
    expect(result.failure?.violation.message, report).toMatch(/never finished: nothing is scheduled and no timer can help \(c\d in acquire\(\)/);
  });

  it('rejects bad options with a definition error naming the fix', async () => {
    await expect(checkRaces({ adapter: (await BUILT_IN_ADAPTERS['own']!()), numRuns: 0 })).rejects.toThrow(DefinitionError);
    await expect(checkRaces({ adapter: (await BUILT_IN_ADAPTERS['own']!()), path: '1:2' })).rejects.toThrow(/path replays a failure only together with the seed/);
    const remote = { ...(await BUILT_IN_ADAPTERS['own']!()), runtime: () => Promise.reject(new Error('never called')) };
    await expect(checkRaces({ adapter: remote })).rejects.toThrow(/brings its own runtime \(a pool in another process\)/);
  });

  it('runs as poolcheck check --races, and its printed rerun line reproduces the failure', async () => {
    const file = 'fixtures/mutants/race-opening-flag.ts';
    const first = await cli('check', '--races', '--adapter', file, '--seed', String(SEED), '--runs', String(RACE_RUNS));
    expect(first.code, first.out).toBe(1);
    const rerun = /cli: {4}poolcheck (check --races .*)$/m.exec(first.out)?.[1]?.split(' ');
    if (rerun === undefined) throw new Error(`poolcheck: no rerun line in\n${first.out}`);
    const again = await cli(...rerun);
    expect(again.code, again.out).toBe(1);
    expect(again.out).toMatch(/FAILED after 1 run\(s\)/);
    // The same trace, clients and rerun line; only the count of shrinks (and the summary's counts) differ.
    const from = (out: string): string => out.slice(out.indexOf('Scheduled trace'), out.indexOf('\nadapter '));
    expect(from(again.out)).toBe(from(first.out));
    const misuse = await cli('check', '--races', '--db', 'pg-mem');
    expect(misuse.code).toBe(2);
    expect(misuse.err).toMatch(/--races runs on pg-mem and reruns a failure with --rerun, or --seed and --path; leave out --replay-path and --db/);
  });

  it('reports a race failure in --json, --junit and the summary with its violation kind, as a sequential one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolcheck-races-'));
    try {
      const json = join(dir, 'races.json');
      const junit = join(dir, 'races.xml');
      const run = await cli('check', '--races', '--adapter', 'fixtures/mutants/race-opening-flag.ts', '--seed', String(SEED), '--runs', String(RACE_RUNS), '--json', json, '--junit', junit);
      expect(run.code, run.out).toBe(1);
      expect(run.out).toMatch(/\(races\)\s+size never exceeds maxSize\s+FAIL \(over-max\)/);
      const report = JSON.parse(await readFile(json, 'utf8')) as { schema: string; passed: boolean; results: { mode: string; failure: { violation: { kind: string }; steps: { violation?: string }[] } | null; races: { schedulerSeed: number } | null }[] };
      expect(report.schema).toBe('poolcheck/check@1');
      expect(report.passed).toBe(false);
      expect(report.results[0]?.mode).toBe('races');
      expect(report.results[0]?.failure?.violation.kind).toBe('over-max');
      expect(report.results[0]?.failure?.steps.some((s) => s.violation !== undefined)).toBe(true);
      expect(typeof report.results[0]?.races?.schedulerSeed).toBe('number');
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/<testsuite name="mutant: [^"]*\(races\)"[^>]* failures="1"/);
      expect(xml).toMatch(/<failure message="over-max: [^"]*" type="over-max">/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});


/** Each race mutant's check with the suite's seed, run once and shared by the tests that read it. */
const checked = new Map<string, Promise<RaceCheckResult>>();
function caught(file: string): Promise<RaceCheckResult> {
  let result = checked.get(file);
  if (result === undefined) {
    result = checkRaces({ adapter: raceMutant(file), seed: SEED, numRuns: RACE_RUNS });
    checked.set(file, result);
  }
  return result;
}

function raceMutant(file: string): Mutant['adapter'] {
  const mutant = raceMutants.find((m) => m.file === file);
  if (mutant === undefined) throw new Error(`poolcheck: no race mutant ${file} in fixtures/mutants/race-index.ts`);
  return mutant.adapter;
}
