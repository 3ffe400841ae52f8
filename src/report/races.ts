import type { PoolAdapter } from '../adapters/types.js';
import type { Semantics } from '../model/semantics.js';
import type { RaceCheckResult, RaceFailure } from '../races/types.js';
import { PROPERTIES, propertyOf, type PropertyInfo } from '../runner/properties.js';
import { CHECK_SCHEMA, type CheckJson } from './json.js';
import type { JUnitCase, JUnitSuite } from './junit.js';
import { formatVirtual } from './summary.js';

/**
 * Race results in the forms sequential results take: a row per property in the summary, an entry
 * in `--json` (schema `poolcheck/check@1`, marked `mode: 'races'`), a suite in `--junit`. A race
 * checks safety, not the model's exact counters, so only the properties its violations can break
 * are listed.
 */

/** Violation kinds a race run reports (src/races/world.ts, client.ts, run-race.ts). */
const RACE_KINDS = new Set<string>([
  'over-max',
  'destroyed-in-use',
  'destroyed-twice',
  'handed-out-destroyed',
  'handed-out-twice',
  'handed-out-invalid',
  'leaked-connection',
  'timer-left-pending',
  'not-settled',
  'pool-error',
  'served-after-abort',
  'abandoned-kept',
  'waiter-answered-early',
]);

/** The properties a race run checks. */
export const RACE_PROPERTIES: readonly PropertyInfo[] = PROPERTIES.filter((p) => p.breaks.some((k) => RACE_KINDS.has(k)));

/** One adapter's race result as an entry of `poolcheck check --json`. */
export type RaceJsonResult = CheckJson['results'][number] & {
  readonly mode: 'races';
  readonly races: null | {
    readonly schedulerSeed: number;
    readonly decisions: number;
    readonly clients: RaceFailure['clients'];
  };
};

/** `poolcheck check --races --json`: the sequential schema, a step per trace line, and the race's own record. */
export function raceToJson(results: readonly { result: RaceCheckResult; adapter: PoolAdapter }[]): CheckJson & { readonly results: readonly RaceJsonResult[] } {
  return {
    schema: CHECK_SCHEMA,
    passed: results.every(({ result }) => result.passed),
    results: results.map(({ result, adapter }): RaceJsonResult => {
      const f = result.failure;
      return {
        adapter: result.adapter,
        mode: 'races',
        semantics: adapter.semantics,
        passed: result.passed,
        runs: result.runs,
        seed: result.seed,
        commands: result.decisions,
        virtualMs: result.virtualMs,
        wallMs: Math.round(result.wallMs),
        failure:
          f === null
            ? null
            : {
                violation: f.violation,
                config: f.config,
                path: f.path,
                replayPath: null,
                commands: [],
                steps: f.trace.map((line, index) => ({ index, command: `${line.who}: ${line.text}`, at: line.at, predicted: '', observed: '', ...(line.violation === undefined ? {} : { violation: line.violation }) })),
              },
        races: f === null ? null : { schedulerSeed: f.schedulerSeed, decisions: f.decisions, clients: f.clients },
      };
    }),
  };
}

/**
 * The verdict of one property in a race result: `FAIL` with the kind, `pass`, `pass*` (held until
 * the run that failed), or `n/a` where the declared semantics say nothing about it.
 */
function verdictOf(result: RaceCheckResult, semantics: Semantics, property: PropertyInfo): string {
  if (!(property.appliesTo?.(semantics) ?? true)) return 'n/a';
  if (result.failure === null) return 'pass';
  const kind = result.failure.violation.kind;
  return propertyOf(kind).id === property.id ? `FAIL (${kind})` : 'pass*';
}

/** Rows of the summary table for race results, in the sequential summary's columns. */
export function formatRaceSummary(results: readonly { result: RaceCheckResult; semantics: Semantics }[]): string {
  const rows: string[][] = [['adapter', 'property', 'verdict', 'runs', 'decisions', 'virtual', 'wall']];
  for (const { result, semantics } of results) {
    for (const property of RACE_PROPERTIES) {
      rows.push([`${result.adapter} (races)`, property.title, verdictOf(result, semantics, property), String(result.runs), String(result.decisions), formatVirtual(result.virtualMs), `${(result.wallMs / 1000).toFixed(2)} s`]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  if (results.some(({ result }) => result.failure !== null)) lines.push('', 'pass*: held until the run that failed another property; runs stop at the first failure.');
  return lines.join('\n');
}

/** `poolcheck check --races --junit`: a suite per adapter, a case per property a race checks. */
export function junitFromRaces(results: readonly { result: RaceCheckResult; semantics: Semantics; rerun: string; report: string }[]): JUnitSuite[] {
  return results.map(({ result, semantics, rerun, report }) => {
    const timeSec = result.wallMs / 1000;
    return {
      name: `${result.adapter} (races)`,
      timeSec,
      cases: RACE_PROPERTIES.map((p): JUnitCase => {
        const base = { name: p.title, classname: `poolcheck.races.${result.adapter}`, timeSec };
        if (!(p.appliesTo?.(semantics) ?? true)) return { ...base, skipped: 'the declared semantics say nothing about this property' };
        const f = result.failure;
        if (f === null || propertyOf(f.violation.kind).id !== p.id) return base;
        return { ...base, failure: { message: `${f.violation.kind}: ${f.violation.message}`, type: f.violation.kind, body: `${report}\n\nRerun: ${rerun}\n` } };
      }),
    };
  });
}
