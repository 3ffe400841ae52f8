import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { cli } from './support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});


describe('poolcheck check', () => {
  it('checks the own pool and prints one row per property', async () => {
    const { code, out } = await cli('check', '--runs', '20', '--seed', '7');
    expect(code).toBe(0);
    expect(out).toMatch(/^own\s+idle connections expire in their window, never early\s+pass\s+20\s/m);
    expect(out).toMatch(/^own\s+expiry keeps minSize connections\s+n\/a/m);
  });

  it('writes a versioned JSON result', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'poolcheck-')), 'result.json');
    const { code } = await cli('check', '--adapter', 'own-floor', '--runs', '10', '--seed', '3', '--json', file);
    expect(code).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8')) as { schema: string; passed: boolean; results: { adapter: string; runs: number; seed: number; failure: unknown }[] };
    expect(json.schema).toBe('poolcheck/check@1');
    expect(json.passed).toBe(true);
    expect(json.results).toMatchObject([{ adapter: 'own (min floor)', runs: 10, seed: 3, failure: null }]);
  });

  it('checks a user adapter module in plain JavaScript and writes the documented JSON', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'poolcheck-')), 'tiny.json');
    const { code, out } = await cli('check', '--adapter', 'fixtures/user-adapter/tiny-pool-adapter.mjs', '--runs', '30', '--seed', '5', '--json', file);
    expect(code, out).toBe(0);
    const json = JSON.parse(await readFile(file, 'utf8')) as { schema: string; results: { adapter: string; passed: boolean; semantics: { expiry: { kind: string } } }[] };
    expect(json.schema).toBe('poolcheck/check@1');
    expect(json.results).toMatchObject([{ adapter: 'tiny pool', passed: true, semantics: { expiry: { kind: 'timer' } } }]);
  });

  it('a failing check exits 1, and its JSON holds the violation and the counterexample as commands', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'poolcheck-')), 'fifo.json');
    const { code, out } = await cli('check', '--adapter', 'fixtures/user-adapter/tiny-pool-declared-fifo.mjs', '--seed', '1', '--json', file);
    expect(code, out).toBe(1);
    expect(out).toContain('--adapter fixtures/user-adapter/tiny-pool-declared-fifo.mjs --seed 1 --path');
    const json = JSON.parse(await readFile(file, 'utf8')) as { passed: boolean; results: { failure: { violation: { kind: string; message: string }; commands: { op: string }[]; path: string } }[] };
    expect(json.passed).toBe(false);
    const failure = json.results[0]!.failure;
    expect(failure.violation.kind).toBe('wrong-connection');
    expect(failure.violation.message).toMatch(/^acquire #\d+ should reuse #\d+ \(FIFO\), got #\d+$/);
    expect(failure.commands.map((c) => c.op)).toContain('release');
    expect(failure.commands.at(-1)).toEqual({ op: 'acquire' });
    expect(failure.path).toMatch(/^\d+(:\d+)*$/);
  });

  it.each([
    [['check', '--adapter', 'fixtures/user-adapter/missing-methods.mjs'], /adapter 'half an adapter' is missing method\(s\) create, release, query, connectionId, counters, close, terminate.*\(in fixtures\/user-adapter\/missing-methods.mjs\)/],
    [['check', '--adapter', 'fixtures/user-adapter/no-export.mjs'], /exports no adapter: export the adapter object \(or a function returning it\) as `default` or as `adapter`; it exports pool/],
    [['check', '--adapter', 'fixtures/user-adapter/absent.mjs'], /adapter module fixtures\/user-adapter\/absent.mjs does not exist/],
  ])('rejects the adapter module in %j with exit code 2 and what is wrong', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it('prints the seed scenario table for an adapter', async () => {
    const { code, out } = await cli('scenario', 'seed', '--adapter', 'own');
    expect(code).toBe(0);
    expect(out).toContain('await sleep(1000)     2  2  2  2  2  0  0  0  0  0   0');
  });

  it.each([
    [['check', '--adapter', 'nope'], /unknown adapter 'nope'; built-in adapters are own, own-floor, pg-pool, generic-pool, tarn, sequelize-pool/],
    [['scenario', 'other'], /unknown scenario 'other'; the one scenario is `seed`/],
    [['check', '--runs', 'many'], /--runs takes a whole number >= 1, got 'many'/],
    [['check', '--path', '1:2'], /--path replays a failure only with the --seed/],
    [['check', '--all', '--adapter', 'own'], /drop --adapter or --all/],
    [['check', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['check', '--db', 'mysql://h/db'], /--db: 'mysql:' is not a PostgreSQL URL scheme; give postgres:\/\/user:password@host:port\/database/],
  ])('rejects %j with exit code 2 and says how to fix it', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('Usage:');
  });

  it('stops before any run, exit 2, when no server answers at --db', async () => {
    const { code, err } = await cli('check', '--db', 'postgres://u:secret@127.0.0.1:1/db');
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: --db: no PostgreSQL server answers at 127\.0\.0\.1:1\/db \(connect ECONNREFUSED 127\.0\.0\.1:1\); start one \(scripts\/postgres\.sh prints its URL\), fix the host or port, or pass --db pg-mem\n$/);
  });
});
