import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { canonicalJson, formatJson } from '../src/corpus/canonical.js';
import { readCaseFile, REGRESSION_SCHEMA } from '../src/corpus/file.js';
import { replayCase } from '../src/corpus/replay.js';
import { caseKey, caseSignature, Corpus, type NewCase } from '../src/corpus/store.js';
import { verifyCaseFile } from '../src/corpus/suite.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { asyncpgSemantics } from '../src/model/semantics.js';

afterEach(() => uninstallAllClocks());

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'poolcheck-corpus-'));

/** A case for the own pool that it passes: two connections, released, then the lifetime passes. */
const passing: NewCase = {
  source: { builtIn: 'own' },
  name: 'own',
  config: { minSize: 0, maxSize: 2, lifetimeMs: 100 },
  semantics: asyncpgSemantics,
  steps: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'release', connection: 2 }, { op: 'sleep', ms: 100 }],
  expect: { verdict: 'pass' },
  provenance: { seed: 1, path: '0', replayPath: null, found: '2026-01-01', poolcheck: '0.0.0', shard: '1/1' },
};

async function caseFile(content: unknown): Promise<string> {
  const file = join(await tmp(), 'case.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const valid = {
  schema: REGRESSION_SCHEMA,
  adapter: { name: 'own', builtIn: 'own' },
  config: passing.config,
  semantics: passing.semantics,
  steps: passing.steps,
  expect: { verdict: 'pass' },
  provenance: passing.provenance,
};

describe('saving cases', () => {
  it('writes a reviewable file under <adapter>/<hash>.json that reads back and replays', async () => {
    const corpus = new Corpus(await tmp());
    const saved = await corpus.save(passing);
    expect(saved.status).toBe('saved');
    expect(saved.file).toBe(join(corpus.root, 'own', `${caseSignature({ name: 'own', builtIn: 'own' }, null, passing.steps)}.json`));
    const text = await readFile(saved.file, 'utf8');
    expect(text).toContain('\n    { "op": "release", "connection": 1 },\n');
    const c = await readCaseFile(saved.file);
    expect(c.steps).toEqual(passing.steps);
    const replayed = await replayCase(c);
    expect(replayed.holds, replayed.explanation).toBe(true);
    expect(replayed.outcome.violation).toBeNull();
  });

  it('keeps the acquire timeout: a case whose waiter times out still does when read back', async () => {
    const corpus = new Corpus(await tmp());
    const timing: NewCase = { ...passing, config: { minSize: 0, maxSize: 1, lifetimeMs: 100, acquireTimeoutMs: 5 }, steps: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: 5 }] };
    const saved = await corpus.save(timing);
    const c = await readCaseFile(saved.file);
    expect(c.config).toEqual(timing.config);
    expect((await new Corpus(corpus.root).save(timing)).status).toBe('known');
    const replayed = await replayCase(c);
    expect(replayed.outcome.trace.map((s) => s.predicted).join('\n')).toContain('#2 rejected (timed out)');
  });

  it('never saves the same steps twice, whatever the expectation or provenance says', async () => {
    const root = await tmp();
    const first = await new Corpus(root).save(passing);
    // A fresh index of the same directory, as the next campaign sees it.
    const again = await new Corpus(root).save({ ...passing, expect: { verdict: 'fail', violation: { kind: 'outlived', message: 'x' } }, provenance: { ...passing.provenance, seed: 9 } });
    expect(again).toEqual({ status: 'known', file: first.file });
    expect(await readdir(join(root, 'own'))).toHaveLength(1);
  });

  it('never clobbers a different file that holds the name, and leaves no temporary file', async () => {
    const root = await tmp();
    const name = `${caseSignature({ name: 'own', builtIn: 'own' }, null, passing.steps)}.json`;
    await mkdir(join(root, 'own'));
    await writeFile(join(root, 'own', name), 'hand-edited, not a case');
    const saved = await new Corpus(root).save(passing);
    const next = name.replace('.json', '-2.json');
    expect(saved).toEqual({ status: 'saved', file: join(root, 'own', next) });
    expect(await readFile(join(root, 'own', name), 'utf8')).toBe('hand-edited, not a case');
    expect((await readdir(join(root, 'own'))).sort()).toEqual([name, next].sort());
  });

  it('hashes the normalised case: key order does not matter', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    const reordered = passing.steps.map((s) => Object.fromEntries(Object.entries(s).reverse())) as unknown as NewCase['steps'];
    expect(caseKey({ name: 'own', builtIn: 'own' }, passing.config, reordered)).toBe(caseKey({ name: 'own', builtIn: 'own' }, passing.config, passing.steps));
    expect(formatJson({ a: { b: [1, 2] } })).toBe('{\n  "a": { "b": [1, 2] }\n}'.replace('{ "b": [1, 2] }', '{\n    "b": [1, 2]\n  }'));
  });
});

describe('reading a case file', () => {
  it.each([
    ['not JSON', '{ "schema": ', /case\.json is not JSON/],
    ['an array', [], /case\.json: expected a JSON object with "schema": "poolcheck\/regression@1", got \[\]/],
    ['no schema', { ...valid, schema: undefined }, /case\.json: "schema" is missing/],
    ['a newer schema', { ...valid, schema: 'poolcheck/regression@2' }, /case\.json: unknown schema "poolcheck\/regression@2"; this poolcheck reads "poolcheck\/regression@1"/],
    ['an unknown adapter', { ...valid, adapter: { name: 'x', builtIn: 'mysql-pool' } }, /case\.json: unknown adapter "mysql-pool"; built-in adapters are own, own-floor/],
    ['a missing adapter module', { ...valid, adapter: { name: 'x', module: '../nowhere.ts' } }, /case\.json: adapter module "\.\.\/nowhere\.ts" does not exist \(resolved relative to the file/],
    ['a bad config', { ...valid, config: { minSize: 0, maxSize: 0, lifetimeMs: 5 } }, /case\.json: "config\.maxSize" must be a whole number >= 1, got 0/],
    ['a step that is not a command', { ...valid, steps: [{ op: 'acquire' }, { op: 'jump', ms: 3 }] }, /case\.json: step 2 is not a command: unknown op "jump"/],
    ['a bad expectation', { ...valid, expect: { verdict: 'maybe' } }, /case\.json: "expect\.verdict" must be "pass" .* or "fail" .*, got "maybe"/],
    ['an unknown violation kind', { ...valid, expect: { verdict: 'fail', violation: { kind: 'slow', message: 'm' } } }, /case\.json: unknown violation kind "slow"/],
    ['no provenance', { ...valid, provenance: undefined }, /case\.json: "provenance" must be an object, got nothing \(the field is missing\)/],
  ])('refuses %s, naming the file and what is wrong', async (_what, content, message) => {
    const file = await caseFile(content);
    await expect(verifyCaseFile(file)).rejects.toThrow(message);
  });

  it('names the file and the step that no longer applies', async () => {
    const file = await caseFile({ ...valid, steps: [{ op: 'release', connection: 3 }] });
    await expect(verifyCaseFile(file)).rejects.toThrow(/case\.json: step 1, release\(#3\), does not apply/);
  });

  it('a "fail" case holds only while the pool still fails with that kind of violation', async () => {
    const file = await caseFile({ ...valid, expect: { verdict: 'fail', violation: { kind: 'outlived', message: 'old message' } } });
    const verdict = await verifyCaseFile(file);
    expect(verdict.holds).toBe(false);
    expect(verdict.explanation).toMatch(/kept as evidence of a bug \(outlived: old message\), but now passes: if the pool was fixed, set "expect" to \{ "verdict": "pass" \}/);
  });

  it('replays with the semantics the adapter declares now, and says when they changed', async () => {
    const file = await caseFile({ ...valid, semantics: { ...asyncpgSemantics, reuse: 'fifo' } });
    const verdict = await verifyCaseFile(file);
    expect(verdict.semanticsChanged).toBe(true);
    expect(verdict.explanation).toMatch(/; note: the adapter's declaration changed since the case was saved: reuse is now "lifo", was "fifo"(;|$)/);
  });

  it('names each field that changed, not two descriptions that read the same', async () => {
    const saved = { ...asyncpgSemantics, capabilities: { ...asyncpgSemantics.capabilities, abort: null, closeDuringConnect: null } };
    const verdict = await verifyCaseFile(await caseFile({ ...valid, semantics: saved }));
    const now = ownPoolAdapter().semantics.capabilities!;
    expect(verdict.semanticsChanged).toBe(true);
    expect(verdict.explanation).toContain(`capabilities.abort is now ${JSON.stringify(now.abort)}, was null`);
    expect(verdict.explanation).toContain(`capabilities.closeDuringConnect is now ${JSON.stringify(now.closeDuringConnect)}, was null`);
    expect(verdict.explanation).not.toMatch(/now declares/);
  });

  it('does not call a declaration changed that only spells out what the saved one meant', async () => {
    // The own pool's declaration in its long form, with two defaults written out.
    const own = ownPoolAdapter().semantics;
    const { min: _min, opensMinOnCreate: _opens, ...rest } = own;
    const spelled = { ...rest, minFloor: 'none', minRefill: [], minOpens: 'on-create', discardRefill: 'at-discard', capabilities: { ...own.capabilities, burstConnects: 'in-call' } };
    const verdict = await verifyCaseFile(await caseFile({ ...valid, semantics: spelled }));
    expect(verdict.semanticsChanged).toBe(false);
    expect(verdict.explanation).not.toContain('note:');
  });
});
