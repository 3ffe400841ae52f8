import type { RaceCheckOptions } from '../races/types.js';
import type { CheckOptions } from './check.js';
import { DefinitionError } from './violation-error.js';

/*
 * The options each entry point takes, listed so that one it does not take is refused. A misspelt
 * or guessed key (`runs` for `numRuns`, say) would otherwise be ignored, and the run would quietly
 * check something else than was asked: the default number of runs, a random seed. Each list is a
 * record over the options' type, so an option added to the type without being added here fails to
 * compile.
 */

const CHECK: Record<keyof CheckOptions, true> = { adapter: true, numRuns: true, seed: true, path: true, replayPath: true, rerun: true, configs: true, configsKey: true, maxCommands: true, connector: true, runTimeoutMs: true, shrink: true, onProgress: true };
const RACES: Record<keyof RaceCheckOptions, true> = { adapter: true, numRuns: true, seed: true, path: true, rerun: true, configs: true, clients: true, connector: true, onProgress: true };

/** The options of `check()`. */
export const CHECK_OPTIONS: readonly string[] = Object.keys(CHECK);
/** The options of `checkRaces()`. */
export const RACE_OPTIONS: readonly string[] = Object.keys(RACES);
/** The options of `poolProperties()`, which takes the adapter apart and reports progress itself. */
export const PROPERTIES_OPTIONS: readonly string[] = [...CHECK_OPTIONS.filter((k) => k !== 'adapter' && k !== 'onProgress'), 'adapterLabel'];

/** Other names users reach for, and the option each means. */
const MEANT: Readonly<Record<string, string>> = { runs: 'numRuns', iterations: 'numRuns', steps: 'maxCommands', commands: 'maxCommands', timeout: 'runTimeoutMs', timeoutMs: 'runTimeoutMs', token: 'rerun' };

/**
 * Throws a definition error naming the first key of `options` that `known` does not list, the
 * option it most likely meant, and the options there are.
 */
export function rejectUnknownOptions(where: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  const alias = MEANT[unknown];
  const meant = alias !== undefined && known.includes(alias) ? alias : closest(unknown, known);
  const hint = meant === undefined ? '.' : `; did you mean \`${meant}\`?`;
  throw new DefinitionError(`poolcheck: ${where} has no option \`${unknown}\`${hint} It takes ${known.map((k) => `\`${k}\``).join(', ')}`);
}

/** The known option within two edits of `key` (case aside), if there is one. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { readonly key: string; readonly distance: number } | undefined;
  for (const k of known) {
    const distance = editDistance(key.toLowerCase(), k.toLowerCase());
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { key: k, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length] as number;
}
