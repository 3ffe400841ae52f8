import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { CONFIG_FILES, findConfigFile } from '../src/cli/config-file.js';
import { cli } from './support/cli.js';

afterEach(() => uninstallAllClocks());

const dir = mkdtempSync(join(tmpdir(), 'poolcheck-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NO_MINIMUM = resolve('fixtures/user-adapter/no-minimum-pool.mjs');
const SRC = resolve('src/index.ts');

/** Writes a config file in a folder of its own and returns its path. */
function config(name: string, file: string, text: string): string {
  const folder = mkdtempSync(join(dir, `${name}-`));
  writeFileSync(join(folder, file), text);
  return join(folder, file);
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

describe('poolcheck.config.*', () => {
  it('is found in the working directory, .ts first, as vitest finds its own', () => {
    const folder = mkdtempSync(join(dir, 'find-'));
    expect(findConfigFile(undefined, folder)).toBeNull();
    writeFileSync(join(folder, 'poolcheck.config.json'), '{}');
    expect(findConfigFile(undefined, folder)).toBe(join(folder, 'poolcheck.config.json'));
    writeFileSync(join(folder, 'poolcheck.config.ts'), 'export default {};');
    expect(findConfigFile(undefined, folder)).toBe(join(folder, 'poolcheck.config.ts'));
    expect(CONFIG_FILES[0]).toBe('poolcheck.config.ts');
  });

  it('gives check its adapters, runs and configuration ranges (a JSON file, paths relative to it)', async () => {
    const path = config('json', 'poolcheck.config.json', json({ adapters: [NO_MINIMUM], runs: 30, configs: { min: 0, lifetime: '1-1000' } }));
    const run = await cli('check', '--config', path, '--seed', '1');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^no-minimum pool: passed after 30 run\(s\)/);
    // Without the file's `min: 0`, the same pool fails: the ranges came from the file.
    const without = await cli('check', '--config', config('json2', 'poolcheck.config.json', json({ adapters: [NO_MINIMUM], runs: 30 })), '--seed', '1');
    expect(without.code).toBe(1);
  });

  it('lets a flag on the command line win over the file', async () => {
    const path = config('flags', 'poolcheck.config.json', json({ adapters: ['own'], runs: 30, configs: { max: 3 } }));
    const run = await cli('check', '--config', path, '--runs', '5', '--max', '1', '--seed', '1');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^own: passed after 5 run\(s\)/);
  });

  it('passes a built-in adapter the library options it gives (a .mjs file)', async () => {
    // pg-pool's maxUses: 1 ends every client at its first release, which pg-pool's declaration does not allow.
    const path = config('mjs', 'poolcheck.config.mjs', `export default { adapters: [{ adapter: 'pg-pool', options: { maxUses: 1 } }], runs: 50 };\n`);
    const run = await cli('check', '--config', path, '--seed', '1');
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/^pg-pool: FAILED/);
  });

  it('takes adapter objects, built with their options (a .ts file, loaded through tsx)', async () => {
    const path = config('ts', 'poolcheck.config.ts', `import { ownPoolAdapter } from ${JSON.stringify(SRC)};\nexport default { adapters: [ownPoolAdapter({ name: 'mine', expiryRespectsMinSize: true })], runs: 10 };\n`);
    const run = await cli('check', '--config', path, '--seed', '1');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^mine: passed after 10 run\(s\)/);
  });

  it.each([
    [{ runz: 5 }, "unknown key 'runz'; the keys are adapters, runs, configs, corpus, fuzz"],
    [{ configs: { lifetme: 5 } }, "unknown key 'configs.lifetme'; the keys are configs.min, configs.max, configs.lifetime, configs.acquireTimeout"],
    [{ fuzz: { budget: '1m' } }, "unknown key 'fuzz.budget'"],
    [{ runs: 0 }, 'runs must be a whole number >= 1; got 0'],
    [{ configs: { lifetime: '10-2' } }, 'configs.lifetime: --lifetime 10-2: the range runs low to high; write 2-10'],
    [{ configs: { min: 'none' } }, "configs.min: takes a number of connections or a range like 0-1000"],
    [{ adapters: ['no-such-pool'] }, "adapters[0] is 'no-such-pool': not a built-in adapter"],
    [{ adapters: [{ adapter: 'own', opts: {} }] }, "unknown key 'opts'"],
    [{ fuzz: { time: '1m', runs: 5 } }, 'fuzz.time and fuzz.runs both set a budget'],
  ])('refuses %j with a message naming the key, exit 2, no stack', async (content, message) => {
    const path = config('bad', 'poolcheck.config.json', json(content));
    const run = await cli('check', '--config', path);
    expect(run.code).toBe(2);
    expect(run.err).toContain(`poolcheck: ${path}`);
    expect(run.err).toContain(message);
    expect(run.err).not.toMatch(/\n\s+at /);
  });

  it('names a file that is not JSON, or has no default export', async () => {
    const broken = await cli('check', '--config', config('broken', 'poolcheck.config.json', '{ runs: 5 '));
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/poolcheck\.config\.json is not valid JSON/);
    const none = await cli('check', '--config', config('none', 'poolcheck.config.mjs', 'export const runs = 5;\n'));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/has no default export: export default \{ adapters, runs, configs, corpus, fuzz \}/);
    const missing = await cli('check', '--config', join(dir, 'nowhere.json'));
    expect(missing.err).toMatch(/--config .*nowhere\.json: no such file/);
  });
});

describe('poolcheck fuzz with a config file', () => {
  it('takes its adapters, ranges, budget and corpus from the file', async () => {
    const corpus = mkdtempSync(join(dir, 'corpus-'));
    const path = config('fuzz', 'poolcheck.config.json', json({ adapters: [NO_MINIMUM], configs: { min: 0 }, corpus: corpus, fuzz: { runs: 200, workers: 1 } }));
    const pinned = await cli('fuzz', '--config', path, '--seed', '1');
    expect(pinned.err).toMatch(/no-minimum-pool\.mjs; seed 1, shard 1\/1, 200 runs per adapter, 1 worker\(s\), corpus /);
    expect(pinned.code).toBe(0);
    // The same campaign without `min: 0` finds the pool refusing a minimum, and saves it in the file's corpus.
    const free = await cli('fuzz', '--config', config('fuzz2', 'poolcheck.config.json', json({ adapters: [NO_MINIMUM], corpus, fuzz: { runs: 200, workers: 1 } })), '--seed', '1');
    expect(free.code).toBe(1);
    expect(free.out + free.err).toContain(corpus);
  });

  it('refuses an adapter object, which a saved case could not name', async () => {
    const path = config('fuzz-obj', 'poolcheck.config.mjs', `export default { adapters: [{ adapter: 'tarn', options: {} }] };\n`);
    const run = await cli('fuzz', '--config', path, '--runs', '10', '--workers', '1');
    expect(run.code).toBe(2);
    expect(run.err).toContain("adapters[0] is not a built-in name or a module path; fuzz saves each case with an adapter it can load again");
  });
});
