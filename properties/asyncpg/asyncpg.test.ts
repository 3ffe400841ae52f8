import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, inject, it, vi } from 'vitest';
import { commandsFromJson } from '../support/commands.js';
import { asyncpgAdapter, asyncpgPoolSemantics } from '../../src/remote/asyncpg.js';
import { asyncpgSemantics } from '../../src/model/semantics.js';
import { check } from '../../src/runner/check.js';
import { runOnce } from '../../src/runner/run-once.js';
import { formatSeedTable, runSeedScenario } from '../../src/scenario/index.js';
import { poolProperties } from '../../src/vitest.js';

// asyncpg's real Pool, in Python, under poolcheck's virtual time, against the real-server suite's
// PostgreSQL. Skips, with the reason printed once, where Python, asyncpg or the server is missing.
const SETUP = fileURLToPath(new URL('../../scripts/asyncpg-setup.sh', import.meta.url));

function findPython(): { python: string | null; reason: string } {
  try {
    const out = execFileSync('bash', [SETUP], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    return { python: out.trim().split('\n').at(-1) ?? null, reason: '' };
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n').at(-1) ?? '';
    return { python: null, reason: `scripts/asyncpg-setup.sh found no Python with asyncpg: ${stderr || (error as Error).message}` };
  }
}

const server = inject('postgres');
const found = server.url === null ? { python: null, reason: `no PostgreSQL server (${server.reason ?? 'unknown'})` } : findPython();
const ready = found.python !== null && server.url !== null;
if (!ready) process.stdout.write(`\npoolcheck: the asyncpg suite is skipped: ${found.reason}\n\n`);
const base = ready ? { python: found.python as string, dsn: server.url as string } : { python: 'python3', dsn: '' };
const noConnector = (): never => {
  throw new Error('asyncpg brings its own connections');
};
const RUNS = 20;
// Each new connection costs a real PostgreSQL login (about 0.1 s), so a run takes seconds, not
// milliseconds; the properties' one check runs in a beforeAll.
vi.setConfig({ hookTimeout: 300_000, testTimeout: 300_000 });

describe.skipIf(!ready)('asyncpg, the real pool', () => {
  // asyncpg leaves idle connections' timers armed after close (see the test below); tidied here
  // so that every other property is checked.
  poolProperties(asyncpgAdapter({ ...base, tidyTimersAfterClose: true }), { seed: 20261124, numRuns: RUNS });

  it('leaves the inactivity timer of a connection idle at close() armed (asyncpg 0.31)', async () => {
    const run = await runOnce(asyncpgAdapter(base), { minSize: 0, maxSize: 2, lifetimeMs: 5000 }, commandsFromJson([{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'close' }]), noConnector, true, true);
    expect(run.violation?.kind).toBe('timer-left-pending');
    expect(run.violation?.message).toMatch(/1 timer\(s\) still pending after the pool closed/);
  });

  it('closes idle connections only after the last release: declaring an immediate close fails', async () => {
    const adapter = asyncpgAdapter({ ...base, tidyTimersAfterClose: true, semantics: asyncpgSemantics, name: 'asyncpg declared as closing idle at once' });
    const list = [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'close' }];
    const run = await runOnce(adapter, { minSize: 0, maxSize: 2, lifetimeMs: 5000 }, commandsFromJson(list), noConnector, true, true);
    expect(run.violation?.kind).toBe('close-incomplete');
    expect(run.violation?.message).toMatch(/#1 was still open at \d+ ms, \d+ ms after the pool was closed/);
  });

  it('hands an idle connection to an acquire issued as a blocked loop wakes, before its overdue expiry', async () => {
    const list = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: 6000, acquireOnWake: true }];
    const config = { minSize: 0, maxSize: 2, lifetimeMs: 5000 };
    const right = await runOnce(asyncpgAdapter({ ...base, tidyTimersAfterClose: true }), config, commandsFromJson(list), noConnector, true, true);
    expect(right.violation, JSON.stringify(right.trace, null, 1)).toBeNull();
    expect(right.trace.find((step) => step.command.startsWith('blockingSleep'))?.observed).toMatch(/^got #1/);
    const wrong = asyncpgAdapter({ ...base, tidyTimersAfterClose: true, semantics: { ...asyncpgPoolSemantics, handoff: 'macrotask' }, name: 'asyncpg declared with a macrotask hand-off' });
    const run = await runOnce(wrong, config, commandsFromJson(list), noConnector, true, true);
    expect(run.violation?.kind).toBe('outlived');
    expect(run.violation?.message).toMatch(/connection #1, idle since 0 ms, outlived its 5000 ms lifetime: still open at 6000 ms/);
  });

  it('ignores min for expiry: declaring min as a floor fails, and says why', async () => {
    const adapter = asyncpgAdapter({ ...base, tidyTimersAfterClose: true, semantics: { ...asyncpgPoolSemantics, min: 'floor' }, name: 'asyncpg declared with a min floor' });
    const configs = fc.record({ minSize: fc.integer({ min: 1, max: 2 }), maxSize: fc.constant(3), lifetimeMs: fc.integer({ min: 1, max: 5000 }) });
    const result = await check({ adapter, seed: 20261124, numRuns: RUNS, configs, maxCommands: 20 });
    expect(result.passed).toBe(false);
    expect(result.failure?.violation.kind).toBe('floor-broken');
    expect(result.failure?.violation.message).toMatch(/expired at \d+ ms although only \d+ connection\(s\) were open and the declared min floor is [12] \(declared: .*min floor on open connections/);
  });

  it('prints the seed table: 0 from 5 s with an async sleep, 2 throughout a blocked loop', async () => {
    const table = await runSeedScenario(asyncpgAdapter(base));
    process.stdout.write(`${formatSeedTable(table)}\n`);
    expect(table.failure, formatSeedTable(table)).toBeNull();
    expect(table.async).toEqual([2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
    expect(table.blocked).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(table.afterWake).toBe(0);
  });
});

// vitest counts a file with no test as a failure; this one says why nothing ran.
if (!ready) {
  describe('asyncpg, the real pool (skipped)', () => {
    it.skip(`needs Python with asyncpg and PostgreSQL: ${found.reason}`, () => undefined);
  });
}
