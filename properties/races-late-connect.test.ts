import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adapter as connectNotBounded } from '../fixtures/mutants/connect-not-bounded.js';
import { adapter as lateConnectLeaks } from '../fixtures/mutants/late-connect-leaks.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { pgPoolAdapter } from '../src/adapters/pg-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { checkRaces, formatRaceResult } from '../src/index.js';
import { runsFromEnv } from '../src/runner/check.js';
import PgPool from 'pg-pool';
import { cli } from './support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

/*
 * Races with an acquire timeout that abandons a connect still in flight (`lateConnect`
 * `'own-timeout'`, pg-pool's, and `'closed'`): the server has the connection open for nobody
 * until it lands, so the count at the server leaves it out from when the pool may have given it
 * up, and the pool must close it as it lands, never hand it out.
 */

const RACE_RUNS = Math.ceil(runsFromEnv() / 2);

describe('races draw an acquire timeout that abandons a late connect', () => {
  it.each<[string, PoolAdapter]>([
    ['pg-pool (its own timer per connect)', pgPoolAdapter({ Pool: PgPool })],
    ['the own pool (one deadline over the wait and the connect)', ownPoolAdapter({ acquireTimeoutCoversConnect: true })],
    ['the own pool polling that deadline every 25 ms', ownPoolAdapter({ acquireTimeoutCoversConnect: true, acquireTimeoutPollMs: 25 })],
  ])('%s passes with seeds 1-3', async (_pool, adapter) => {
    for (const seed of [1, 2, 3]) {
      const result = await checkRaces({ adapter, seed, numRuns: RACE_RUNS });
      expect(result.passed, formatRaceResult(result)).toBe(true);
    }
  });

  it.each<[string, PoolAdapter, RegExp]>([
    ['a late connect declared closed, leaked (own pool)', lateConnectLeaks, /^#\d+ landed at \d+ ms, after its acquire gave up on the connect \(by \d+ ms, declared lateConnect: closed\), and the pool kept it open; it must close it as it lands$/],
    ['a connect not bounded by its timer (pg-pool)', connectNotBounded as PoolAdapter, /^acquire\(\) gave #\d+, whose connect the pool had given up on \(by \d+ ms, declared lateConnect: own-timeout\); it must be closed as it lands$/],
  ])('%s is caught as abandoned-kept with seeds 1-3', async (_bug, adapter, message) => {
    for (const seed of [1, 2, 3]) {
      const result = await checkRaces({ adapter, seed, numRuns: RACE_RUNS });
      const report = formatRaceResult(result);
      expect(result.passed, report).toBe(false);
      expect(result.failure?.violation.kind, report).toBe('abandoned-kept');
      expect(result.failure?.violation.message, report).toMatch(message);
    }
  });

  it('reports the failure in --json, --junit and the summary with its kind, and its rerun token reproduces it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolcheck-races-late-'));
    try {
      const json = join(dir, 'races.json');
      const junit = join(dir, 'races.xml');
      const run = await cli('check', '--races', '--adapter', 'fixtures/mutants/late-connect-leaks.ts', '--seed', '1', '--runs', String(RACE_RUNS), '--json', json, '--junit', junit);
      expect(run.code, run.out).toBe(1);
      expect(run.out).toMatch(/\(races\)\s+a connect abandoned by its timed-out acquire is closed as it lands\s+FAIL \(abandoned-kept\)/);
      const report = JSON.parse(await readFile(json, 'utf8')) as { results: { mode: string; failure: { violation: { kind: string } } | null }[] };
      expect(report.results[0]?.mode).toBe('races');
      expect(report.results[0]?.failure?.violation.kind).toBe('abandoned-kept');
      const xml = await readFile(junit, 'utf8');
      expect(xml).toMatch(/<failure message="abandoned-kept: [^"]*" type="abandoned-kept">/);
      const token = /--rerun (pc1_\S+)/.exec(run.out)?.[1];
      if (token === undefined) throw new Error(`poolcheck: no rerun token in\n${run.out}`);
      const again = await cli('check', '--races', '--adapter', 'fixtures/mutants/late-connect-leaks.ts', '--rerun', token);
      expect(again.code, again.out).toBe(1);
      expect(again.out).toMatch(/Violation kind: abandoned-kept/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
