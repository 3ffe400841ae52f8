import { closeSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DefinitionError } from '../runner/violation-error.js';

/** Where a report goes: a file, or stdout for `-`. */
export type OutputTarget = { readonly stdout: true } | { readonly file: string };

/**
 * Checks, before any run, that a report can be written where `--json`, `--junit` or `--html`
 * points: a run of minutes must not end in an error about a path that was wrong from the start.
 * The file is opened for appending (nothing in it is lost) and, when the probe created it,
 * removed again. `mkdirs` creates missing directories one at a time, so a path under a directory
 * that cannot hold one (like /proc) fails at once. Synchronous: this runs once, before the work.
 */
export function prepareOutput(flag: string, path: string, options: { mkdirs?: boolean; stdout?: boolean } = {}): OutputTarget {
  if (path === '-' && options.stdout === true) return { stdout: true };
  const file = resolve(path);
  const fail = (why: string): never => {
    throw new DefinitionError(`poolcheck: ${flag} ${path}: cannot write there (${why}); give a path in a writable directory${options.stdout === true ? ', or - for stdout' : ''}`);
  };
  if (options.mkdirs === true) makeDirs(dirname(file), fail);
  let existed = true;
  try {
    if (statSync(file).isDirectory()) fail('it is a directory');
  } catch (error) {
    if (error instanceof DefinitionError) throw error;
    existed = false;
  }
  try {
    closeSync(openSync(file, 'a'));
  } catch (error) {
    fail(reason(error));
  }
  if (!existed) unlinkSync(file);
  return { file };
}

function makeDirs(dir: string, fail: (why: string) => never): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) fail(`${d} is not a directory`);
      break;
    } catch (error) {
      if (error instanceof DefinitionError) throw error;
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) fail(reason(error));
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') fail(`cannot create ${d}: ${reason(error)}`);
    }
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code === undefined ? String(e.message) : `${e.code}: ${e.message.replace(/^\w+: /, '')}`;
}

/** Writes a report to its target; synchronous, so a signal handler can write the partial one. */
export function writeOutput(target: OutputTarget, text: string): void {
  if ('stdout' in target) process.stdout.write(text);
  else writeFileSync(target.file, text);
}
