import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adapter as offByOne } from '../fixtures/mutants/off-by-one-lifetime.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { listCaseFiles, Corpus } from '../src/corpus/store.js';
import { verifyCaseFile } from '../src/corpus/suite.js';
import { runCampaign, type CampaignOptions } from '../src/fuzz/campaign.js';
import { shardJobs } from '../src/fuzz/plan.js';
import { escapeXml, formatJUnit } from '../src/report/junit.js';
import { PROPERTIES } from '../src/runner/properties.js';
import { runCli } from './support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'poolcheck-fuzz-'));
const MUTANT = 'fixtures/mutants/off-by-one-lifetime.ts';
const mutant = { source: { module: resolve(MUTANT) }, adapter: offByOne };

function campaign(corpus: string, overrides: Partial<CampaignOptions> = {}): Promise<Awaited<ReturnType<typeof runCampaign>>> {
  return runCampaign({ adapters: [mutant], seed: 42, shard: { index: 1, count: 1 }, budget: { runs: 12 }, workers: 1, corpus: new Corpus(corpus), chunkRuns: 4, today: '2026-01-01', ...overrides });
}


describe('a saved bug stays found', () => {
  it('fuzzing a mutant saves its shrunk failure, and the replay suite fails on that file with the same violation', async () => {
    const root = await tmp();
    const result = await campaign(root, { budget: { runs: 4 } });
    expect(result.found).toHaveLength(1);
    const [found] = result.found;
    expect(found!.saved?.status).toBe('saved');
    expect(await listCaseFiles(root)).toEqual([found!.saved!.file]);
    const verdict = await verifyCaseFile(found!.saved!.file);
    expect(verdict.holds).toBe(false);
    expect(verdict.outcome.violation).toEqual(found!.failure.violation);
    expect(verdict.explanation).toContain(`must pass, but fails: ${found!.failure.violation.kind}: ${found!.failure.violation.message}`);
  });

  it('--evidence keeps it as a known bug: the suite holds while the mutant still fails so, and --also-for saves it for the fixed pool to pass', async () => {
    const root = await tmp();
    const result = await campaign(root, { budget: { runs: 4 }, evidence: true, alsoFor: { source: { builtIn: 'own' }, adapter: (await import('../src/adapters/own.js')).ownPoolAdapter() } });
    const [found] = result.found;
    const evidence = await verifyCaseFile(found!.saved!.file);
    expect(evidence.holds, evidence.explanation).toBe(true);
    expect(evidence.expected).toEqual({ verdict: 'fail', violation: { kind: found!.failure.violation.kind, message: found!.failure.violation.message } });
    expect(relative(root, found!.alsoSaved!.file)).toMatch(/^own\/[0-9a-f]{12}\.json$/);
    expect((await verifyCaseFile(found!.alsoSaved!.file)).expected).toEqual({ verdict: 'pass' });
  });
});

describe('a campaign is deterministic', () => {
  it('the same seed, shard and runs find the same cases and save the same files, with 1 worker or 2', async () => {
    const [one, two] = [await tmp(), await tmp()];
    const a = await campaign(one);
    const b = await campaign(two, { workers: 2 });
    const summary = (r: typeof a, root: string) => r.found.map((f) => ({ k: f.job.k, seed: f.job.seed, steps: f.failure.steps, file: relative(root, f.saved!.file), status: f.saved!.status }));
    expect(a.found.length).toBeGreaterThan(1);
    expect(summary(b, two)).toEqual(summary(a, one));
    expect({ runs: b.runs, commands: b.commands, chunks: b.chunks }).toEqual({ runs: a.runs, commands: a.commands, chunks: a.chunks });
    const files = await listCaseFiles(one);
    expect(files.map((f) => relative(one, f))).toEqual((await listCaseFiles(two)).map((f) => relative(two, f)));
    for (const f of files) expect(await readFile(join(two, relative(one, f)), 'utf8')).toBe(await readFile(f, 'utf8'));
  });

  it('shards split the chunks between them, none twice, none left out', () => {
    const jobs = (index: number, count: number) => [...shardJobs({ seed: 7, shard: { index, count }, adapters: 2, chunkRuns: 10, runsPerAdapter: 30 })];
    const whole = [...shardJobs({ seed: 7, shard: { index: 1, count: 1 }, adapters: 2, chunkRuns: 10, runsPerAdapter: 90 })];
    const shards = [jobs(1, 3), jobs(2, 3), jobs(3, 3)];
    expect(shards.map((s) => s.map((j) => j.k % 3))).toEqual([[0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2]]);
    const key = (j: { k: number; adapter: number; seed: number }) => `${j.k}/${j.adapter}/${j.seed}`;
    expect(shards.flat().map(key).sort()).toEqual(whole.map(key).sort());
  });

  it('Ctrl-C stops handing out chunks, keeps what was found and saved, and exits 130', async () => {
    const root = await tmp();
    let sent = false;
    const { code, out } = await runCli(['fuzz', '--adapter', MUTANT, '--time', '1h', '--workers', '1', '--seed', '3', '--corpus', root], (text) => {
      if (!sent && text.includes('new case:')) {
        sent = true;
        process.emit('SIGINT');
      }
    });
    expect(code).toBe(130);
    expect(out).toMatch(/^fuzz INTERRUPTED: seed 3, shard 1\/1/m);
    expect(out).toMatch(/^files saved: 1$/m);
    const files = await listCaseFiles(root);
    expect(files).toHaveLength(1);
    expect((await verifyCaseFile(files[0]!)).holds).toBe(false);
  });
});

describe('poolcheck fuzz', () => {
  it('reports a case already in the corpus as known, and writes JUnit with the violation and the rerun command', async () => {
    const root = await tmp();
    const argv = ['fuzz', '--adapter', MUTANT, '--runs', '20', '--workers', '1', '--seed', '11', '--corpus', root];
    const first = await runCli(argv);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/^files saved: 1$/m);
    const junit = join(root, 'fuzz.xml');
    const again = await runCli([...argv, '--junit', junit]);
    expect(again.out).toMatch(/^files saved: 0\nfiles already known: 1$/m);
    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="fixtures\/mutants\/off-by-one-lifetime.ts" tests="2" failures="1"/);
    expect(xml).toMatch(/<failure message="[a-z-]+: [^"]+" type="[a-z-]+">Violation: /);
    expect(xml).toContain(`poolcheck check --adapter ${MUTANT} --seed `);
    expect(xml).toContain('(already known)');
  });

  it.each([
    [['--time', '10'], /--time takes a duration like 90s, 10m or 1h .*, got '10'/],
    [['--time', '0s'], /--time takes a duration .*, got '0s'/],
    [['--time', '1m', '--runs', '5'], /--time and --runs both set a budget; give one of them/],
    [['--workers', '0'], /--workers takes a whole number >= 1, got '0'/],
    [['--shard', '3/2'], /--shard takes i\/n with 1 <= i <= n, like 1\/4, got '3\/2'/],
    [['--shard', '0/2'], /--shard takes i\/n/],
    [['--seed', 'x'], /--seed takes an integer, got 'x'/],
    [['--adapter', 'nope'], /unknown adapter 'nope'/],
    [['--corpus', ''], /--corpus takes a directory/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('rejects %j with exit code 2 and says how to fix it', async (argv, message) => {
    const { code, err } = await runCli(['fuzz', ...argv]);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('Usage:');
  });
});

describe('JUnit XML', () => {
  it('poolcheck check --junit writes a test case per property, the broken one failed with the rerun command', async () => {
    const file = join(await tmp(), 'check.xml');
    const { code } = await runCli(['check', '--adapter', 'fixtures/user-adapter/tiny-pool-declared-fifo.mjs', '--seed', '1', '--junit', file]);
    expect(code).toBe(1);
    const xml = await readFile(file, 'utf8');
    expect(xml).toMatch(new RegExp(`<testsuite name="tiny pool declared FIFO" tests="${PROPERTIES.length}" failures="1" errors="0" skipped="\\d+"`));
    expect(xml).toMatch(/<testcase name="acquire follows the reuse order, never hands out a destroyed or busy connection" classname="poolcheck.tiny pool declared FIFO" time="[\d.]+">\n\s*<failure message="wrong-connection: [^"]+" type="wrong-connection">/);
    expect(xml).toMatch(/Rerun: poolcheck check --adapter fixtures\/user-adapter\/tiny-pool-declared-fifo.mjs --rerun pc1_[\w-]+\n/);
    expect(xml).toMatch(/cli: {4}poolcheck check --adapter fixtures\/user-adapter\/tiny-pool-declared-fifo.mjs --seed 1 --path [\d:]+/);
  });

  it('escapes markup, quotes and characters XML cannot hold', () => {
    expect(escapeXml(`a<b>&"c"'d'\u0001\uD800e`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\uFFFD\uFFFDe');
    const xml = formatJUnit([{ name: 'pool <1>', timeSec: 1, cases: [{ name: 'x & y', classname: 'c', timeSec: 0.5, failure: { message: 'idle="2" <expected 0>', type: 'count-mismatch', body: 'a]]>b' } }] }]);
    expect(xml).toContain('<testsuite name="pool &lt;1&gt;" tests="1" failures="1" errors="0" skipped="0" time="1.000">');
    expect(xml).toContain('<failure message="idle=&quot;2&quot; &lt;expected 0&gt;" type="count-mismatch">a]]&gt;b</failure>');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="poolcheck" tests="1" failures="1" skipped="0" time="1.000">')).toBe(true);
  });
});
