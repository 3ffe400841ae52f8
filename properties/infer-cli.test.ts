import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAdapterModule } from '../src/adapters/load.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { INFER_SCHEMA, type InferJson } from '../src/infer/format.js';
import { cli } from './support/cli.js';

afterEach(() => uninstallAllClocks());

describe('poolcheck infer', () => {
  it('prints the JSON a tool reads with --json -', async () => {
    const run = await cli('infer', '--adapter', 'fixtures/user-adapter/tiny-pool-undeclared.mjs', '--no-confirm', '--json', '-');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.out) as InferJson;
    const tiny = await loadAdapterModule('fixtures/user-adapter/tiny-pool-adapter.mjs');
    expect(json.schema).toBe(INFER_SCHEMA);
    expect(json.declared).toBeNull();
    expect(json.differences).toBeNull();
    expect(json.confirmation).toBeNull();
    expect(json.semantics.reuse).toBe(tiny.semantics.reuse);
    expect(json.semantics.expiry).toEqual(tiny.semantics.expiry);
    expect(json.findings.find((f) => f.field === 'reuse')?.evidence).toMatch(/'fifo' ruled out: acquire #3 should reuse #1/);
  });

  it('exits 1 and names the fields where a declared adapter is wrong', async () => {
    // A broken own pool, declared as the own pool: the audit shows the field its bug breaks (it
    // never hears of a break, as a pool declared 'unnoticed').
    const run = await cli('infer', '--adapter', 'fixtures/mutants/broken-idle-kept.ts', '--no-confirm');
    expect(run.code).toBe(1);
    expect(run.out).toContain("Audit: the adapter's own declaration differs in 1 field(s):\n  - capabilities.brokenIdle: declared true, inferred 'unnoticed'");
  });

  it('refuses bad usage with the usage, exit 2', async () => {
    const none = await cli('infer');
    expect(none.code).toBe(2);
    expect(none.err).toContain('infer needs the pool to probe: --adapter NAME');
    const both = await cli('infer', '--adapter', 'own', '--no-confirm', '--runs', '5');
    expect(both.code).toBe(2);
    expect(both.err).toContain('--no-confirm');
    const malformed = await cli('infer', '--adapter', 'fixtures/user-adapter/missing-methods.mjs');
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain('missing method(s)');
    const unknown = await cli('infer', '--adapter', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown adapter 'nope'");
  });

  it('is what check points to when an adapter leaves its semantics out', async () => {
    const run = await cli('check', '--adapter', 'fixtures/user-adapter/tiny-pool-undeclared.mjs', '--runs', '1');
    expect(run.code).toBe(2);
    expect(run.err).toContain('must declare its expiry `semantics`');
    expect(run.err).toContain('`poolcheck infer` finds them');
    expect(readFileSync('docs/infer.md', 'utf8')).toContain('poolcheck infer --adapter');
  });
});
