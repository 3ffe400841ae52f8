import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CommandJson } from '../commands/json.js';
import type { PoolConfig, Semantics } from '../model/semantics.js';
import { identityOf, refFor, slugOf, type AdapterSource } from './adapter-ref.js';
import { formatJson, shortHash } from './canonical.js';
import { parseCase, REGRESSION_SCHEMA, type AdapterRef, type Expectation, type Provenance, type RegressionCase } from './file.js';

/** A case to save, before it has a file (and so before its module path can be made relative). */
export interface NewCase {
  readonly source: AdapterSource;
  /** The adapter's own name. */
  readonly name: string;
  readonly config: PoolConfig;
  readonly semantics: Semantics;
  readonly steps: readonly CommandJson[];
  readonly expect: Expectation;
  readonly provenance: Provenance;
}

export interface SaveOutcome {
  /** `saved`: a new file; `known`: the corpus already holds these steps for this adapter and config. */
  readonly status: 'saved' | 'known';
  readonly file: string;
}

/**
 * What makes two cases the same: the adapter, the configuration and the steps, in canonical JSON.
 * The expectation and the provenance are not part of it, so a case marked as evidence, or found
 * again by another seed, is still the one already saved.
 */
export function caseKey(adapter: AdapterRef, config: PoolConfig, steps: readonly CommandJson[]): string {
  return shortHash({ adapter: identityOf(adapter), config: configOf(config), steps });
}

/**
 * A regression corpus directory (`fixtures/regressions/`): one sub-directory per adapter, one file
 * per case, named after the case's key. Saving never overwrites a file: the same case is reported
 * as known, and a different case whose name is taken (a renamed or hand-edited file) gets the
 * next free name. Every write is a temporary file linked into place, which fails rather than
 * replaces, so an interrupted save leaves no half-written case.
 */
export class Corpus {
  private readonly known = new Map<string, string>();
  private loaded = false;

  constructor(readonly root: string) {}

  /** Indexes the cases already there, by key. Files that do not parse are left to the replay suite. */
  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    for (const file of await listCaseFiles(this.root)) {
      try {
        const c = parseCase(JSON.parse(await readFile(file, 'utf8')), file);
        this.known.set(caseKey(c.adapter, c.config, c.steps), file);
      } catch {
        // Reported by the replay suite, by name; here it only means its name stays taken.
      }
    }
  }

  /** Saves a case unless the corpus holds it already. */
  async save(c: NewCase): Promise<SaveOutcome> {
    await this.load();
    const key = caseKey(refFor(c.source, c.name, join(this.root, 'x', 'x.json')), c.config, c.steps);
    const existing = this.known.get(key);
    if (existing !== undefined) return { status: 'known', file: existing };
    const dir = join(this.root, slugOf(c.source));
    await mkdir(dir, { recursive: true });
    for (let n = 1; ; n++) {
      const file = join(dir, n === 1 ? `${key}.json` : `${key}-${n}.json`);
      const text = `${formatJson(toFile(c, file))}\n`;
      const tmp = join(dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      await writeFile(tmp, text, { flag: 'wx' });
      try {
        await link(tmp, file);
        this.known.set(key, file);
        return { status: 'saved', file };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const there = await readFile(file, 'utf8').catch(() => '');
        if (there === text) {
          this.known.set(key, file);
          return { status: 'known', file };
        }
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
    }
  }
}

/** The configuration as written: keys in this order, the acquire timeout only where the run had one. */
function configOf(c: PoolConfig): PoolConfig {
  const base = { minSize: c.minSize, maxSize: c.maxSize, lifetimeMs: c.lifetimeMs };
  return c.acquireTimeoutMs === undefined ? base : { ...base, acquireTimeoutMs: c.acquireTimeoutMs };
}

/** The case as written: keys in this order, always. */
function toFile(c: NewCase, file: string): RegressionCase {
  return {
    schema: REGRESSION_SCHEMA,
    adapter: refFor(c.source, c.name, file),
    config: configOf(c.config),
    semantics: c.semantics,
    steps: c.steps,
    expect: c.expect,
    provenance: {
      seed: c.provenance.seed,
      path: c.provenance.path,
      replayPath: c.provenance.replayPath,
      found: c.provenance.found,
      poolcheck: c.provenance.poolcheck,
      shard: c.provenance.shard,
    },
  };
}

/** Every `.json` file under a directory, sorted, so suites and indexes see them in one order. */
export async function listCaseFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.isFile() && e.name.endsWith('.json')) found.push(join(dir, e.name));
    }
  };
  await walk(root);
  return found.sort((a, b) => relative(root, a).localeCompare(relative(root, b)));
}

/** This poolcheck's version, for provenance; `unknown` where no package.json sits beside the build. */
export const POOLCHECK_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    return pkg.name === 'poolcheck' && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
