import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { CommandJson } from '../commands/json.js';
import type { PoolConfig, Semantics } from '../model/semantics.js';
import type { ViolationKind } from '../model/violation.js';
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
  /**
   * `saved`: a new file. `known`: the corpus already holds these steps for this adapter and
   * config. `duplicate`: the corpus holds another case of the same bug (same signature) that is
   * no longer than this one; nothing was written. `unsaved`: the corpus could not be written
   * (`error` says why); the case is in `text`, for the user to keep.
   */
  readonly status: 'saved' | 'known' | 'duplicate' | 'unsaved';
  readonly file: string;
  /** For `saved`: the longer case of the same bug, saved earlier by this corpus, that it replaced. */
  readonly replaced?: string;
  readonly error?: string;
  /** For `unsaved`: the case file's text. */
  readonly text?: string;
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
 * What makes two cases the same bug: the adapter, the violation and the shape of how the steps
 * end (see {@link shapeOf}). A campaign finds one bug again and again, through other seeds,
 * configurations, sleep lengths and detours; the corpus keeps one case of it, the shortest.
 */
export function caseSignature(adapter: AdapterRef, kind: ViolationKind | null, steps: readonly CommandJson[]): string {
  return shortHash({ adapter: identityOf(adapter), kind, shape: shapeOf(steps) });
}

/** How many kinds of command, counted from the end, make a case's shape. */
const SHAPE_TAIL = 2;

/**
 * The shape of a case: its last commands, without their numbers, a run of one command counted
 * once (`release sleep`). A shrunk case stops at the step that failed, so its end is where the bug
 * shows; what came before is often a detour the shrinker could not remove (measured: fuzzing the
 * off-by-one mutant for 10 s gave 1,641 failures in 14 shapes of whole step lists, and 4 of
 * their last two commands).
 */
export function shapeOf(steps: readonly CommandJson[]): string[] {
  const shape: string[] = [];
  for (const s of steps) if (shape.at(-1) !== s.op) shape.push(s.op);
  return shape.slice(-SHAPE_TAIL);
}

/** The violation a case stands for: recorded when found, or its expectation's. */
function kindOf(c: Pick<RegressionCase, 'expect' | 'provenance'>): ViolationKind | null {
  return c.provenance.kind ?? (c.expect.verdict === 'fail' ? c.expect.violation.kind : null);
}

interface Indexed {
  readonly file: string;
  readonly length: number;
}

/**
 * A regression corpus directory (`fixtures/regressions/`): one sub-directory per adapter, one file
 * per bug, named after the bug's signature. Saving never overwrites a file: the same case is
 * reported as known, another case of the same bug as a duplicate, and a different case whose
 * name is taken (a hand-edited file) gets the next free name. Every write is a temporary file
 * linked into place, which fails rather than replaces, so an interrupted save leaves no
 * half-written case, and two campaigns saving into one corpus at once never write the same case
 * or bug twice: the loser of the race reads the winner's file under the name and reports it.
 */
export class Corpus {
  private readonly known = new Map<string, string>();
  private readonly bugs = new Map<string, Indexed>();
  /** Files this corpus wrote, the only ones it may remove (for a shorter case of the same bug). */
  private readonly written = new Set<string>();
  private readonly seen = new Set<string>();
  private loaded = false;

  constructor(readonly root: string) {}

  /** Indexes the cases already there, by key and signature. Files that do not parse are left to the replay suite. */
  async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    await this.index(await listCaseFiles(this.root));
  }

  private async index(files: readonly string[]): Promise<void> {
    for (const file of files) {
      if (this.seen.has(file)) continue;
      this.seen.add(file);
      const c = await readCase(file);
      if (c !== null) this.remember(c, file);
    }
  }

  private remember(c: RegressionCase, file: string): void {
    this.known.set(caseKey(c.adapter, c.config, c.steps), file);
    const sig = caseSignature(c.adapter, kindOf(c), c.steps);
    const had = this.bugs.get(sig);
    if (had === undefined || c.steps.length < had.length) this.bugs.set(sig, { file, length: c.steps.length });
  }

  /**
   * Saves a case unless the corpus holds it, or a case of the same bug no longer than it,
   * already. A file that cannot be written gives `unsaved` with the case's text, never an
   * exception: the case must reach the user either way.
   */
  async save(c: NewCase): Promise<SaveOutcome> {
    await this.load();
    const dir = join(this.root, slugOf(c.source));
    const ref = refFor(c.source, c.name, join(dir, 'x.json'));
    const key = caseKey(ref, c.config, c.steps);
    const kind = c.provenance.kind ?? (c.expect.verdict === 'fail' ? c.expect.violation.kind : null);
    const sig = caseSignature(ref, kind, c.steps);
    // Another campaign may have saved into this directory since the corpus was loaded.
    await this.index(await listCaseFiles(dir).catch(() => []));
    const existing = this.known.get(key);
    if (existing !== undefined) return { status: 'known', file: existing };
    const bug = this.bugs.get(sig);
    if (bug !== undefined && (bug.length <= c.steps.length || !this.written.has(bug.file))) return { status: 'duplicate', file: bug.file };
    const first = join(dir, `${sig}.json`);
    const text = (file: string): string => `${formatJson(toFile(c, file))}\n`;
    try {
      await makeDirs(dir);
      for (let n = 1; ; n++) {
        const file = n === 1 ? first : join(dir, `${sig}-${n}.json`);
        const tmp = join(dir, `.${sig}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
        await writeFile(tmp, text(file), { flag: 'wx' });
        try {
          await link(tmp, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          // Re-checked under the final name: the file there may be this very case, or this bug.
          const there = await readCase(file);
          if (there !== null) {
            this.seen.add(file);
            this.remember(there, file);
            if (caseKey(there.adapter, there.config, there.steps) === key) return { status: 'known', file };
            if (caseSignature(there.adapter, kindOf(there), there.steps) === sig && there.steps.length <= c.steps.length) return { status: 'duplicate', file };
          }
          continue;
        } finally {
          await unlink(tmp).catch(() => undefined);
        }
        this.seen.add(file);
        this.written.add(file);
        this.known.set(key, file);
        this.bugs.set(sig, { file, length: c.steps.length });
        // The longer case of this bug was written by this corpus moments ago, never a file the
        // corpus held before: nothing anyone kept is removed.
        if (bug !== undefined) {
          await unlink(bug.file).catch(() => undefined);
          for (const [k, f] of this.known) if (f === bug.file) this.known.delete(k);
          return { status: 'saved', file, replaced: bug.file };
        }
        return { status: 'saved', file };
      }
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      return { status: 'unsaved', file: first, error: e.code === undefined ? e.message : `${e.code}: ${e.message.replace(/^\w+: /, '')}`, text: text(first) };
    }
  }
}

/**
 * Creates a directory and its missing parents one at a time. Node's recursive mkdir loops for
 * ever under a directory that cannot hold one (like /proc); this fails at once instead.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!(await stat(d)).isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${d} is not a directory`), { code: 'ENOTDIR' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw error;
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function readCase(file: string): Promise<RegressionCase | null> {
  try {
    return parseCase(JSON.parse(await readFile(file, 'utf8')), file);
  } catch {
    // Reported by the replay suite, by name; here it only means its name stays taken.
    return null;
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
      ...(c.provenance.kind === undefined ? {} : { kind: c.provenance.kind }),
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
