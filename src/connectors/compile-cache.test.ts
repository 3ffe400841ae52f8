import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Each case runs a fresh node: the cache is written when a process exits, and a module required
 * once stays in the process's require cache.
 */
const root = mkdtempSync(join(tmpdir(), 'poolcheck-compile-cache-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A small CommonJS package using what a module expects of Node's own wrapper: a relative require,
// require.resolve, __dirname, `this` as exports, a dynamic import, and a require of an ES module
// file that Node compiles itself.
const pkg = join(root, 'node_modules', 'tiny');
mkdirSync(pkg, { recursive: true });
writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'tiny', main: 'index.js' }));
writeFileSync(join(pkg, 'helper.js'), 'exports.twice = (n) => n * 2;\n');
writeFileSync(join(pkg, 'esm.mjs'), 'export const fromEsm = 7;\n');
writeFileSync(join(pkg, 'index.js'), [
  "const { twice } = require('./helper');",
  "let esm; try { esm = require('./esm.mjs').fromEsm; } catch (e) { esm = e.code; }",
  'module.exports = {',
  '  four: twice(2),',
  "  resolved: require('path').basename(require.resolve('./helper')),",
  "  dir: require('path').basename(__dirname),",
  '  thisIsExports: this === module.exports,',
  '  esm,',
  "  imported: () => import('./esm.mjs').then((m) => m.fromEsm),",
  '};',
  '',
].join('\n'));

const cacheModule = pathToFileURL(join(import.meta.dirname, 'compile-cache.ts')).href;
// With FAKE_DATE set, `Date` is faked (at poolcheck's epoch, months back) while the package
// loads, as it is when a run's connector loads pg-mem.
const script = `
  const { useCompileCache, requireCompiled, compileCacheCounts } = await import(${JSON.stringify(cacheModule)});
  const { createRequire } = await import('node:module');
  useCompileCache();
  if (process.env.FAKE_DATE) createRequire(${JSON.stringify(cacheModule)})('@sinonjs/fake-timers').install({ now: Date.UTC(2026, 0, 1), toFake: ['Date'] });
  const tiny = requireCompiled(createRequire(${JSON.stringify(join(root, 'main.js'))}), 'tiny');
  console.log(JSON.stringify({ ...tiny, imported: await tiny.imported(), counts: compileCacheCounts() }));
`;

function run(env: Record<string, string>): { four: number; resolved: string; dir: string; thisIsExports: boolean; esm: unknown; imported: number; counts: { hits: number; misses: number } } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, POOLCHECK_DISABLE_COMPILE_CACHE: '', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out) as ReturnType<typeof run>;
}

describe('the code cache for CommonJS packages', () => {
  it('compiles afresh, writes the cache at exit, then loads from it with the same module behaviour', () => {
    const dir = join(root, 'cache-a');
    const first = run({ POOLCHECK_COMPILE_CACHE: dir });
    expect(first.counts).toEqual({ hits: 0, misses: 1 });
    expect(readdirSync(dir).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    const second = run({ POOLCHECK_COMPILE_CACHE: dir });
    expect(second.counts).toEqual({ hits: 1, misses: 0 });
    // Turned off, it neither reads nor writes.
    const off = join(root, 'cache-off');
    const plain = run({ POOLCHECK_COMPILE_CACHE: off, POOLCHECK_DISABLE_COMPILE_CACHE: '1' });
    expect(plain.counts).toEqual({ hits: 0, misses: 0 });
    expect(() => readdirSync(off)).toThrow();
    const { counts: _a, ...withCache } = second;
    const { counts: _b, ...withoutCache } = plain;
    expect(withCache).toEqual(withoutCache);
    expect(withoutCache).toMatchObject({ four: 4, resolved: 'helper.js', dir: 'tiny', thisIsExports: true, imported: 7 });
  });

  it('keeps the files in use and removes, when it writes new ones, those unused for 30 days', () => {
    const dir = join(root, 'cache-prune');
    run({ POOLCHECK_COMPILE_CACHE: dir });
    const [own] = readdirSync(dir);
    const daysAgo = (days: number): Date => new Date(Date.now() - days * 24 * 60 * 60 * 1000);
    // The file this run uses, last used 40 days ago: a hit marks it used now, in real time.
    utimesSync(join(dir, own!), daysAgo(40), daysAgo(40));
    expect(run({ POOLCHECK_COMPILE_CACHE: dir, FAKE_DATE: '1' }).counts).toEqual({ hits: 1, misses: 0 });
    expect(Math.abs(Date.now() - statSync(join(dir, own!)).mtimeMs)).toBeLessThan(60_000);
    // Another checkout's files: one unused for 40 days, one for 20; a writer's temporary file
    // from two days ago; and a file the cache did not write.
    const key = (c: string): string => c.repeat(64);
    const files = { old: `${key('a')}.bin`, recent: `${key('b')}.bin`, temporary: `${key('c')}.bin.123.456`, foreign: 'notes.txt' };
    for (const [name, days] of [[files.old, 40], [files.recent, 20], [files.temporary, 2], [files.foreign, 400]] as const) {
      writeFileSync(join(dir, name), 'x');
      utimesSync(join(dir, name), daysAgo(days), daysAgo(days));
    }
    // A hit writes nothing, so it prunes nothing.
    run({ POOLCHECK_COMPILE_CACHE: dir });
    expect(readdirSync(dir)).toContain(files.old);
    // A miss writes its file, then prunes.
    writeFileSync(join(dir, own!), 'not a code cache');
    expect(run({ POOLCHECK_COMPILE_CACHE: dir, FAKE_DATE: '1' }).counts).toEqual({ hits: 0, misses: 1 });
    expect(readdirSync(dir).sort()).toEqual([own!, files.recent, files.foreign].sort());
  });

  it('recompiles a file whose cache V8 rejects, and loads when the cache cannot be written', () => {
    const dir = join(root, 'cache-a'); // the cache the case above wrote: cases in a file run in order
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'not a code cache');
    const again = run({ POOLCHECK_COMPILE_CACHE: dir });
    expect(again.counts).toEqual({ hits: 0, misses: 1 });
    expect(again.four).toBe(4);
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(run({ POOLCHECK_COMPILE_CACHE: join(file, 'sub') }).four).toBe(4);
  });
});
