import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/*
 * A V8 code cache for the CommonJS packages poolcheck loads at start-up (pg-mem and what it
 * requires: 1.4 MB of JavaScript). Compiling them is most of what pg-mem's require costs, and a
 * command line run pays it on every invocation, where `poolcheck scenario seed` itself runs in a
 * few milliseconds. Node 22 has `module.enableCompileCache()`; Node 20, which poolcheck supports,
 * has not, so this is the same idea scoped to one `require`: while it runs, each CommonJS `.js`
 * file it loads is compiled by `vm.Script` with the V8 code cache kept for that file's exact
 * source, and the cache is written when the process exits, after the functions the run used were
 * compiled too.
 *
 * Only the command line turns it on (`poolcheck`'s main and its fuzz workers): a library import
 * never writes files its user did not ask for. `POOLCHECK_DISABLE_COMPILE_CACHE=1` turns it off,
 * `POOLCHECK_COMPILE_CACHE=DIR` moves it (default: `poolcheck-compile-cache` in the system's
 * temporary directory). Anything that goes wrong with the cache (an unwritable directory, a file
 * V8 rejects, one that is not CommonJS) falls back to Node's own compile: the cache can make a
 * start slower at worst, never wrong.
 *
 * The directory holds one file per source file and path (a new checkout, a new version of pg-mem
 * or of node each add a set), so it would only grow: a file used is marked so (its time is set
 * on each hit), and whenever new files are written, those not used for {@link UNUSED_DAYS} days
 * are removed, with temporary files a writer died before renaming.
 */

type Compile = (this: NodeJS.Module, content: string, filename: string) => unknown;
interface ModuleInternals {
  prototype: { _compile: Compile };
  wrap(content: string): string;
  _resolveFilename(request: string, parent: NodeJS.Module, isMain: boolean, options?: { paths?: string[] | undefined }): string;
  _resolveLookupPaths(request: string, parent: NodeJS.Module): string[] | null;
  _cache: NodeJS.Require['cache'];
}
const internals = Module as unknown as ModuleInternals;

let cacheDir: string | undefined;
/** What the cache did in this thread, for its tests and for `npm run bench`. */
const counts = { hits: 0, misses: 0 };
/** Scripts compiled without a usable cache, for `flushCompileCache` to write. */
const pending = new Map<string, Script>();

/**
 * Turns the code cache on for `requireCompiled` in this thread, in `POOLCHECK_COMPILE_CACHE` or
 * the system's temporary directory; does nothing when `POOLCHECK_DISABLE_COMPILE_CACHE` is set.
 */
export function useCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  if (cacheDir !== undefined || (env.POOLCHECK_DISABLE_COMPILE_CACHE ?? '') !== '') return;
  cacheDir = env.POOLCHECK_COMPILE_CACHE ?? join(tmpdir(), 'poolcheck-compile-cache');
  process.once('exit', flushCompileCache);
}

/** Where this thread keeps the cache, or undefined when it is off: a fuzz worker keeps it there too. */
export function compileCacheDir(): string | undefined {
  return cacheDir;
}

/** How many files `requireCompiled` found in the cache, and how many it compiled afresh. */
export function compileCacheCounts(): { readonly hits: number; readonly misses: number } {
  return { ...counts };
}

/**
 * `require(id)`, with the CommonJS files it loads compiled from the code cache when
 * `useCompileCache` turned it on, and by Node as usual otherwise.
 */
export function requireCompiled(req: NodeJS.Require, id: string): unknown {
  if (cacheDir === undefined) return req(id);
  const own = internals.prototype._compile;
  const dir = cacheDir;
  internals.prototype._compile = function compileCached(this: NodeJS.Module, content: string, filename: string): unknown {
    const compiled = cacheable(content, filename) ? cachedScript(dir, content, filename) : undefined;
    // An ES module, or a file V8 will not compile as a script: Node's own compile says why.
    if (compiled === undefined) return own.call(this, content, filename);
    const wrapper = compiled.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  try {
    return req(id);
  } finally {
    internals.prototype._compile = own;
  }
}

/*
 * A script compiled by `vm.Script` has no loader for `import()` unless given Node 20's
 * experimental one, which warns on stderr; a file that may import dynamically is left to Node.
 */
const DYNAMIC_IMPORT = /\bimport\s*\(/;
const cacheable = (content: string, filename: string): boolean =>
  (filename.endsWith('.js') || filename.endsWith('.cjs')) && !DYNAMIC_IMPORT.test(content);

function cachedScript(dir: string, content: string, filename: string): Script | undefined {
  // The key covers what V8's cache depends on besides the source it checks itself.
  const key = createHash('sha256').update(`${process.version}\0${process.arch}\0${filename}\0`).update(content).digest('hex');
  const file = join(dir, `${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(file);
  } catch {
    // Not cached yet.
  }
  let script: Script;
  try {
    script = new Script(internals.wrap(content), { filename, ...(cachedData === undefined ? {} : { cachedData }) });
  } catch {
    return undefined;
  }
  if (cachedData === undefined || script.cachedDataRejected === true) {
    counts.misses++;
    pending.set(file, script);
  } else {
    counts.hits++;
    // In use: kept by the pruning in `flushCompileCache`.
    touch(file);
  }
  return script;
}

/** A cache file not used for this many days is removed when new ones are written. */
export const UNUSED_DAYS = 30;

/*
 * The real time, taken before any fake clock exists: pg-mem is loaded inside a run, with `Date`
 * faked, and a file marked used at the fake epoch would look months old to the next pruning.
 */
const realNow = Date.now;

function touch(file: string): void {
  try {
    const now = realNow() / 1000;
    utimesSync(file, now, now);
  } catch {
    // Not this process's to mark (a cache it may only read): the file still serves.
  }
}

/** Removes the cache files of `dir` not used for {@link UNUSED_DAYS} days, and stale temporary ones. */
function prune(dir: string, now = realNow()): void {
  for (const name of readdirSync(dir)) {
    // `KEY.bin`, or `KEY.bin.PID.RANDOM` while a writer has not renamed it yet (a day is ample).
    if (!/^[0-9a-f]{64}\.bin(\.\d+\.\d+)?$/.test(name)) continue;
    const file = join(dir, name);
    try {
      const unusedMs = now - statSync(file).mtimeMs;
      if (unusedMs > (name.endsWith('.bin') ? UNUSED_DAYS : 1) * 24 * 60 * 60 * 1000) unlinkSync(file);
    } catch {
      // Removed meanwhile by another process's pruning.
    }
  }
}

/** The `require` Node gives a module: relative to it, with `resolve`, `main` and `cache`. */
function requireFor(mod: NodeJS.Module): NodeJS.Require {
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  req.resolve = Object.assign((request: string, options?: { paths?: string[] | undefined }) => internals._resolveFilename(request, mod, false, options), {
    paths: (request: string) => internals._resolveLookupPaths(request, mod),
  });
  req.main = (process as { mainModule?: NodeJS.Module }).mainModule;
  req.cache = internals._cache;
  return req;
}

/**
 * Writes each file compiled afresh to the cache, atomically; at exit, after the run compiled the
 * functions it used, or earlier by a thread that is terminated rather than exited. Then removes
 * the files not used for {@link UNUSED_DAYS} days.
 */
export function flushCompileCache(): void {
  if (cacheDir === undefined || pending.size === 0) return;
  try {
    mkdirSync(cacheDir, { recursive: true });
    for (const [file, script] of pending) {
      const temporary = `${file}.${process.pid}.${String(Math.random()).slice(2)}`;
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, file);
    }
    prune(cacheDir);
  } catch {
    // A cache that cannot be written costs the next start its compile, nothing else.
  }
  pending.clear();
}
