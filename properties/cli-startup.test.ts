import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';

/*
 * The CLI loads what a command needs when that command runs: pg-mem, pg, tsx and the pool
 * libraries take hundreds of milliseconds to load, which `--version` and `help` must not pay.
 * So the modules src/cli/main.ts imports statically, and theirs in turn, import no package but
 * Node's own; each command's module is imported when it runs.
 */
// Static imports and re-exports that load code (not `import type` / `export type`), and the
// CommonJS packages loaded through `createRequire` (fake-timers) or `requireCompiled(createRequire(...),
// ...)` (pg-mem, through the code cache), wherever the call is.
const IMPORT = /^(?:import|export)\s+(?!type\b)(?:[^'";]*?from\s+)?'([^']+)'|createRequire\(import\.meta\.url\)(?:\(|,\s*)'([^']+)'/gm;

/** The packages and the source files `entry` loads through its static imports. */
function staticGraph(entry: URL): { packages: string[]; files: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: URL): void => {
    if (seen.has(file.href)) return;
    seen.add(file.href);
    for (const [, imported, required] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = imported ?? required;
      if (spec!.startsWith('.')) visit(new URL(spec!.replace(/\.js$/, '.ts'), file));
      else if (!spec!.startsWith('node:')) packages.add(spec!);
    }
  };
  visit(entry);
  return { packages: [...packages], files: [...seen].map((href) => href.replace(/^.*\/src\//, '')) };
}

const staticPackages = (entry: URL): string[] => staticGraph(entry).packages;

/** The model's files a command module loads: the seed scenario reads declarations, and runs no model. */
const modelFiles = (entry: string): string[] => staticGraph(new URL(entry, import.meta.url)).files.filter((f) => f.startsWith('model/')).sort();

describe('CLI start-up', () => {
  it('main.ts and what it imports statically load no package but Node itself', () => {
    expect(staticPackages(new URL('../src/cli/main.ts', import.meta.url))).toEqual([]);
  });

  it('the walk sees the packages a command module pulls in, so the check above can fail', () => {
    expect(staticPackages(new URL('../src/cli/scenario.ts', import.meta.url))).toContain('pg-mem');
  });

  it('the scenario command loads the declarations of the model, not the model itself (half of the code)', () => {
    expect(modelFiles('../src/cli/scenario.ts')).toEqual(['model/handoff.ts', 'model/semantics.ts', 'model/violation.ts']);
  });

  it('the walk sees the model a checking command pulls in, so the check above can fail', () => {
    expect(modelFiles('../src/cli/check.ts')).toContain('model/transitions.ts');
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
    try {
      expect(await main(['--version'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(out).toBe(`${version}\n`);
  });
});
