import type { PoolAdapter } from '../adapters/types.js';
import { writeOutput, type OutputTarget } from '../cli/output.js';
import { formatJUnit } from '../report/junit.js';
import { formatRaceSummary, junitFromRaces, raceToJson } from '../report/races.js';
import { shellLine, shellWord } from '../report/shell.js';
import { checkRaces } from './check-races.js';
import { formatRaceResult } from './format.js';
import type { RaceCheckResult, RaceProgress } from './types.js';

export interface RaceCliOptions {
  readonly adapters: readonly { readonly name: string; readonly adapter: PoolAdapter }[];
  readonly runs: number;
  readonly seed: number | undefined;
  readonly path: string | undefined;
  /** A race rerun token (`--rerun`), which carries the seed and path; one adapter only. */
  readonly rerun?: string | undefined;
  /** Where to write the JSON report, checked before the run, as `check --json` does. */
  readonly json?: OutputTarget | undefined;
  /** Where to write the JUnit report, as `check --junit` does. */
  readonly junit?: OutputTarget | undefined;
}

/**
 * `poolcheck check --races`: {@link checkRaces} for each adapter, each verdict printed as it
 * comes (a failure with its trace and rerun line), then the summary, and the JSON and JUnit
 * reports where asked. Returns the exit code: 0 if every adapter passed, 1 otherwise.
 */
export async function runRaceChecks(options: RaceCliOptions): Promise<number> {
  let passed = true;
  // A report on stdout has it to itself: the human text goes to stderr.
  const human = [options.json, options.junit].some((t) => t !== undefined && 'stdout' in t) ? process.stderr : process.stdout;
  const done: { result: RaceCheckResult; adapter: PoolAdapter; rerun: string; report: string }[] = [];
  for (const { name, adapter } of options.adapters) {
    const progress = progressPrinter(adapter.name, options.runs);
    const result = await checkRaces({
      adapter,
      numRuns: options.runs,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.rerun === undefined ? {} : { rerun: options.rerun }),
      onProgress: progress.update,
    });
    progress.done();
    passed &&= result.passed;
    const cli = `poolcheck check --races --adapter ${shellWord(name)}`;
    const report = formatRaceResult(result, cli);
    const words = result.failure === null ? ['--seed', String(result.seed)] : ['--rerun', result.failure.token];
    done.push({ result, adapter, report, rerun: `${cli} ${shellLine(words)}` });
    human.write(`${report}\n${result.passed ? '' : '\n'}`);
  }
  human.write(`\n${formatRaceSummary(done.map((d) => ({ result: d.result, semantics: d.adapter.semantics })))}\n`);
  if (options.json !== undefined) writeOutput(options.json, `${JSON.stringify(raceToJson(done), null, 2)}\n`);
  if (options.junit !== undefined) writeOutput(options.junit, formatJUnit(junitFromRaces(done.map((d) => ({ ...d, semantics: d.adapter.semantics })))));
  return passed ? 0 : 1;
}

/** A live line on a terminal; elsewhere a plain line every five seconds. */
function progressPrinter(name: string, planned: number): { update: (p: RaceProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const every = tty ? 100 : 5_000;
  let last = performance.now();
  let shown = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      shown = true;
      const phase = p.failed ? 'shrinking a failure' : `${Math.min(p.runs, planned)}/${planned} runs`;
      const line = `${name} (races): ${phase}, ${p.decisions} scheduler decisions`;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done() {
      if (shown && tty) process.stderr.write('\r\x1b[2K');
    },
  };
}
