import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { readCaseFile } from '../../src/corpus/file.js';
import { Corpus, listCaseFiles, type NewCase } from '../../src/corpus/store.js';
import { runCampaign } from '../../src/fuzz/campaign.js';
import { asyncpgSemantics } from '../../src/model/semantics.js';
import { adapter as offByOne } from '../../fixtures/mutants/off-by-one-lifetime.js';
import { cli, runCli } from '../support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'poolcheck-trust-corpus-'));
const MUTANT = 'fixtures/mutants/off-by-one-lifetime.ts';

/** A case of one bug: an idle connection that outlived its lifetime, after `sleeps` sleeps of `ms`. */
function outlived(ms: number, sleeps = 1, seed = 1): NewCase {
  return {
    source: { builtIn: 'own' },
    name: 'own',
    config: { minSize: 0, maxSize: 1, lifetimeMs: 10 },
    semantics: asyncpgSemantics,
    steps: [{ op: 'acquire' }, { op: 'release', connection: 1 }, ...Array.from({ length: sleeps }, () => ({ op: 'sleep' as const, ms }))],
    expect: { verdict: 'pass' },
    provenance: { seed, path: '0', replayPath: null, found: '2026-01-01', poolcheck: '0.0.0', shard: '1/1', kind: 'outlived' },
  };
}

describe('one bug, one case', () => {
  it('fuzzing one broken pool leaves a handful of files, and counts the rest instead of listing them', async () => {
    const root = await tmp();
    const { code, out, err } = await cli('fuzz', '--adapter', MUTANT, '--runs', '600', '--workers', '1', '--seed', '4', '--corpus', root);
    expect(code).toBe(1);
    const failures = Number(/^failures found: (\d+)$/m.exec(out)![1]);
    const files = await listCaseFiles(root);
    expect(failures).toBeGreaterThan(files.length);
    expect(files.length).toBeLessThanOrEqual(5);
    expect(out).toMatch(new RegExp(`^ {2}${MUTANT}: outlived: ${failures} failure\\(s\\), ${files.length} new case\\(s\\)$`, 'm'));
    expect(err).not.toMatch(/already known/);
    expect(err.match(/new case: /g)).toHaveLength(files.length);
    // The same campaign again adds nothing: every failure is a bug the corpus keeps.
    const again = await cli('fuzz', '--adapter', MUTANT, '--runs', '600', '--workers', '1', '--seed', '4', '--corpus', root);
    expect(again.out).toMatch(/^files saved: 0$/m);
    expect(await listCaseFiles(root)).toEqual(files);
  }, 120_000);

  it('keeps the shortest case of a bug; a longer one is a duplicate; a file it held before is never removed', async () => {
    const root = await tmp();
    const corpus = new Corpus(root);
    const long = await corpus.save(outlived(11, 3));
    expect(long.status).toBe('saved');
    expect((await corpus.save(outlived(12, 3))).status).toBe('duplicate');
    // Shorter, found later by the same campaign: it takes the longer one's place.
    const short = await corpus.save(outlived(11, 1));
    expect(short).toMatchObject({ status: 'saved', replaced: long.file });
    expect(await listCaseFiles(root)).toEqual([short.file]);
    // A new campaign never removes what the corpus held: an even shorter case is only counted.
    const next = new Corpus(root);
    expect((await next.save({ ...outlived(11, 1), steps: outlived(11, 1).steps.slice(0, 3) })).status).toBe('known');
    const other = await next.save({ ...outlived(20, 2), provenance: { ...outlived(20, 2).provenance, kind: 'expired-early' } });
    expect(other.status).toBe('saved');
    expect((await listCaseFiles(root)).sort()).toEqual([short.file, other.file].sort());
  });

  it('cases saved before the violation was recorded still load, and keep their meaning', async () => {
    const root = await tmp();
    const { kind: _kind, ...old } = outlived(11).provenance;
    const saved = await new Corpus(root).save({ ...outlived(11), provenance: old });
    const c = await readCaseFile(saved.file);
    expect(c.provenance.kind).toBeUndefined();
    expect(JSON.parse(await readFile(saved.file, 'utf8')).provenance).not.toHaveProperty('kind');
  });
});

describe('concurrent campaigns into one corpus', () => {
  it('two corpora saving the same case at once write one file; the other reports it known', async () => {
    const root = await tmp();
    const [a, b] = [new Corpus(root), new Corpus(root)];
    await Promise.all([a.load(), b.load()]);
    const results = await Promise.all([a.save(outlived(11, 1, 21)), b.save(outlived(11, 1, 22))]);
    expect(results.map((r) => r.status).sort()).toEqual(['known', 'saved']);
    expect(results[0]!.file).toBe(results[1]!.file);
    expect(await readdir(join(root, 'own'))).toHaveLength(1);
  });

  it('two corpora saving cases of one bug at once keep one of them', async () => {
    const root = await tmp();
    const [a, b] = [new Corpus(root), new Corpus(root)];
    await Promise.all([a.load(), b.load()]);
    const results = await Promise.all([a.save(outlived(11, 2)), b.save(outlived(13, 2))]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'saved']);
    expect(await readdir(join(root, 'own'))).toHaveLength(1);
  });

  it('two campaigns with seeds 21 and 22 into one corpus leave no duplicate', async () => {
    const root = await tmp();
    const mutant = { source: { module: resolve(MUTANT) }, adapter: offByOne };
    // Both corpora are indexed before either campaign saves, as two processes started together
    // see it; the campaigns run one after the other only because one process has one fake clock.
    const [a, b] = [new Corpus(root), new Corpus(root)];
    await Promise.all([a.load(), b.load()]);
    const run = (seed: number, corpus: Corpus): ReturnType<typeof runCampaign> => runCampaign({ adapters: [mutant], seed, shard: { index: 1, count: 1 }, budget: { runs: 200 }, workers: 1, corpus, chunkRuns: 20, today: '2026-01-01' });
    const r21 = await run(21, a);
    const r22 = await run(22, b);
    expect(r21.found.length + r22.found.length).toBeGreaterThan(2);
    const files = await listCaseFiles(root);
    const keys = await Promise.all(files.map(async (f) => {
      const c = await readCaseFile(f);
      return JSON.stringify({ config: c.config, steps: c.steps });
    }));
    expect(new Set(keys).size).toBe(files.length);
    expect(files.some((f) => /-\d+\.json$/.test(f))).toBe(false);
  }, 120_000);
});

describe('a corpus that cannot be written', () => {
  it('hands the case to the user: its JSON on stderr, a clear message, exit code 3', async () => {
    const root = await tmp();
    // Where the adapter's directory must go, a file is in the way, as a read-only corpus would refuse it.
    await writeFile(join(root, 'off-by-one-lifetime'), 'not a directory');
    const { code, out, err } = await runCli(['fuzz', '--adapter', MUTANT, '--runs', '100', '--workers', '1', '--seed', '4', '--corpus', root]);
    expect(code).toBe(3);
    expect(err).toMatch(/outlived \(chunk 0, seed -?\d+\): NOT SAVED: the corpus cannot be written \(E[A-Z]+: .*\); the case follows, save it as .*off-by-one-lifetime\/[0-9a-f]{12}\.json:\n\{/);
    const json = /the case follows, save it as [^\n]*:\n(\{[\s\S]*?\n\})\n/.exec(err)![1]!;
    // Saved where the message says, in a corpus of the same shape: the adapter's path in it is
    // relative to that place.
    const saveAs = join(await tmp(), 'off-by-one-lifetime');
    await mkdir(saveAs);
    const caseFile = join(saveAs, 'case.json');
    await writeFile(caseFile, json);
    expect((await readCaseFile(caseFile)).provenance.kind).toBe('outlived');
    expect(out).toMatch(/^NOT SAVED: \d+ case\(s\) the corpus could not take; their JSON is on stderr above \(exit code 3\)$/m);
  });

  it.each([['/sys/fs/poolcheck-corpus'], ['/proc/nope/corpus']])('a directory no process may create or write (%s) gives the same, at once', async (root) => {
    const saved = await new Corpus(root).save(outlived(11));
    expect(saved.status).toBe('unsaved');
    expect(saved.error).toMatch(/^E[A-Z]+: /);
    expect(JSON.parse(saved.text!)).toMatchObject({ schema: 'poolcheck/regression@1', steps: outlived(11).steps });
  });

  it('never writes over a file: a name taken by something else gets the next one', async () => {
    const root = await tmp();
    await mkdir(join(root, 'own'), { recursive: true });
    const first = await new Corpus(root).save(outlived(11));
    const text = await readFile(first.file, 'utf8');
    const again = await new Corpus(root).save({ ...outlived(11), expect: { verdict: 'fail', violation: { kind: 'outlived', message: 'm' } } });
    expect(again).toEqual({ status: 'known', file: first.file });
    expect(await readFile(first.file, 'utf8')).toBe(text);
  });
});
