import { parseArgs } from 'node:util';
import { selectAdapters, type SelectedAdapter } from './adapters.js';
import { chooseDatabase, type DatabaseChoice } from './database.js';
import { prepareOutput, writeOutput, type OutputTarget } from './output.js';
import { onStopSignals } from './signals.js';
import { toJson, type Interrupted } from '../report/json.js';
import { formatJUnit, junitFromCheck } from '../report/junit.js';
import { formatSummary } from '../report/summary.js';
import { formatResult, rerunCommand, type RerunContext } from '../report/text.js';
import { check, runsFromEnv, type CheckResult, type Progress } from '../runner/check.js';
import { decodeRerunToken } from '../runner/rerun.js';
import { runRaceChecks } from '../races/cli.js';
import { joinNegativeValues, seedValue, wholeNumber } from './numbers.js';
import { checkRangesFit, RANGE_OPTIONS, rangesFrom } from './ranges.js';
import { configArbFromRanges, show, type ConfigRanges } from '../runner/config-ranges.js';
import { findConfigFile, loadConfigFile, selectConfigAdapters } from './config-file.js';
import { UsageError } from './usage.js';

interface CheckArgs {
  readonly adapters: SelectedAdapter[];
  readonly runs: number;
  readonly seed: number | undefined;
  readonly path: string | undefined;
  readonly replayPath: string | undefined;
  readonly rerun: string | undefined;
  readonly races: boolean;
  readonly json: OutputTarget | undefined;
  readonly junit: OutputTarget | undefined;
  readonly database: DatabaseChoice;
  /** --min, --max, --lifetime, --acquire-timeout and a config file's ranges, and the same as words for rerun lines. */
  readonly ranges: ConfigRanges | undefined;
  readonly rangeWords: readonly string[];
}

export const CHECK_OPTIONS = {
  adapter: { type: 'string', multiple: true },
  all: { type: 'boolean' },
  runs: { type: 'string' },
  seed: { type: 'string' },
  path: { type: 'string' },
  'replay-path': { type: 'string' },
  rerun: { type: 'string' },
  races: { type: 'boolean' },
  json: { type: 'string' },
  junit: { type: 'string' },
  db: { type: 'string' },
  ...RANGE_OPTIONS,
  config: { type: 'string' },
} as const;

export async function parseCheckArgs(argv: readonly string[]): Promise<CheckArgs> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, new Set(['--seed'])),
    options: CHECK_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`check takes no positional arguments, got '${positionals.join(' ')}'; name adapters with --adapter`);
  // A config file (poolcheck.config.* in the working directory, or --config) gives defaults; every
  // flag given on the command line wins over it.
  const configPath = findConfigFile(values.config);
  const file = configPath === null ? null : await loadConfigFile(configPath);
  const runs = values.runs === undefined ? (file?.runs ?? runsFromEnv()) : wholeNumber('--runs', values.runs, 1);
  const seed = values.seed === undefined ? undefined : seedValue('--seed', values.seed);
  if (values.rerun !== undefined && (values.seed ?? values.path ?? values['replay-path']) !== undefined) throw new UsageError('--rerun carries the seed, path and replayPath of its failure; leave out --seed, --path and --replay-path');
  if (values.path !== undefined && seed === undefined) throw new UsageError('--path replays a failure only with the --seed printed beside it; pass both');
  if (values['replay-path'] !== undefined && values.path === undefined) throw new UsageError('--replay-path goes with the --seed and --path printed beside it; pass all three');
  if (values.races === true && (values['replay-path'] ?? values.db) !== undefined) throw new UsageError('--races runs on pg-mem and reruns a failure with --rerun, or --seed and --path; leave out --replay-path and --db');
  if (values.json === '-' && values.junit === '-') throw new UsageError('--json - and --junit - both want stdout; send one of them to a file');
  // Read now, so a token cut short is an error before any adapter loads; check() matches it to the adapter.
  const token = values.rerun === undefined ? undefined : decodeRerunToken(values.rerun);
  // Output paths are checked before any run: a wrong one must not cost the run.
  const json = values.json === undefined ? undefined : prepareOutput('--json', values.json, { stdout: true });
  const junit = values.junit === undefined ? undefined : prepareOutput('--junit', values.junit, { stdout: true });
  const fromFile = values.adapter === undefined && values.all !== true && file?.adapters !== undefined;
  const adapters = fromFile ? await selectConfigAdapters(file!) : await selectAdapters(values);
  const ranges = file?.ranges === undefined ? rangesFrom(values) : { ...file.ranges, ...rangesFrom(values) };
  if (ranges !== undefined && values.races === true) throw new UsageError('--races draws its own small configurations; leave out --min, --max, --lifetime and --acquire-timeout');
  if (ranges !== undefined) for (const { adapter } of adapters) checkRangesFit(ranges, adapter);
  if ((values.path !== undefined || token !== undefined) && adapters.length !== 1) throw new UsageError('a rerun replays one failure; name exactly one --adapter');
  const database = await chooseDatabase(values.db);
  return { adapters, runs, seed, path: values.path, replayPath: values['replay-path'], rerun: values.rerun, races: values.races === true, json, junit, database, ranges, rangeWords: ranges === undefined ? [] : rangeWordsOf(ranges) };
}

/** The ranges in force as flags, for the rerun line: they draw the same configurations. */
function rangeWordsOf(ranges: ConfigRanges): string[] {
  const flag = { minSize: 'min', maxSize: 'max', lifetimeMs: 'lifetime', acquireTimeoutMs: 'acquire-timeout' } as const;
  return (Object.keys(flag) as (keyof typeof flag)[]).filter((k) => ranges[k] !== undefined).flatMap((k) => [`--${flag[k]}`, show(ranges[k]!)]);
}

/**
 * `poolcheck check`: every adapter in turn, its verdict and (for a failure) its trace and rerun
 * lines as it comes, then the summary and the reports. With `--json -` or `--junit -` the report
 * has stdout to itself and the human text goes to stderr. SIGINT or SIGTERM stops at once with
 * the summary so far and the partial reports.
 */
export async function runCheck(argv: readonly string[]): Promise<number> {
  const args = await parseCheckArgs(argv);
  if (args.races) return runRaceChecks({ adapters: args.adapters, runs: args.runs, seed: args.seed, path: args.path, rerun: args.rerun, json: args.json, junit: args.junit });
  const toStdout = (t: OutputTarget | undefined): boolean => t !== undefined && 'stdout' in t;
  const human = toStdout(args.json) || toStdout(args.junit) ? process.stderr : process.stdout;
  const results: { result: CheckResult; adapter: SelectedAdapter['adapter'] }[] = [];
  const reports: { rerun: string; report: string }[] = [];
  let current: Interrupted | null = null;
  if (args.database.description !== null) process.stderr.write(`poolcheck: connections from ${args.database.description}, checked against pg_stat_activity after every command\n`);

  const finish = (interrupted: Interrupted | null): void => {
    const summary = formatSummary(results.map(({ result, adapter }) => ({ result, semantics: adapter.semantics })));
    human.write(`\n${summary}\n${interrupted === null ? '' : `\nINTERRUPTED by ${interrupted.signal} while checking ${interrupted.adapter.name}, after ${interrupted.progress.runs} run(s); the reports hold what finished\n`}`);
    if (args.json !== undefined) writeOutput(args.json, `${JSON.stringify(toJson(results, interrupted), null, 2)}\n`);
    if (args.junit !== undefined) writeOutput(args.junit, formatJUnit(junitFromCheck(results.map(({ result, adapter }, i) => ({ result, semantics: adapter.semantics, ...reports[i]! })), interrupted)));
  };
  const stopSignals = onStopSignals((signal) => {
    finish(current === null ? null : { ...current, signal });
    return signal === 'SIGINT' ? 130 : 143;
  });
  try {
    for (const { name, adapter } of args.adapters) {
      const progress = progressPrinter(adapter.name, args.runs);
      current = { adapter, signal: 'SIGINT', progress: { runs: 0, commands: 0, virtualMs: 0, failed: false } };
      const result = await check({
        adapter,
        numRuns: args.runs,
        ...(args.seed === undefined ? {} : { seed: args.seed }),
        ...(args.path === undefined ? {} : { path: args.path }),
        ...(args.replayPath === undefined ? {} : { replayPath: args.replayPath }),
        ...(args.rerun === undefined ? {} : { rerun: args.rerun }),
        ...(args.database.connector === undefined ? {} : { connector: args.database.connector }),
        ...(args.ranges === undefined ? {} : { configs: configArbFromRanges(args.ranges) }),
        onProgress: (p) => {
          if (current !== null) current = { ...current, progress: p };
          progress.update(p);
        },
      });
      progress.done();
      current = null;
      results.push({ result, adapter });
      // A pass prints its one-line verdict with the seed; a failure adds its trace and how to rerun it.
      const how: RerunContext = { adapter: name, extra: [...args.rangeWords, ...args.database.rerunWords] };
      const report = formatResult(result, how);
      reports.push({ rerun: rerunCommand(result, how), report });
      human.write(`${report}\n${result.passed ? '' : '\n'}`);
    }
    finish(null);
  } finally {
    stopSignals();
  }
  return results.every(({ result }) => result.passed) ? 0 : 1;
}

/** A live line on a terminal; elsewhere a plain line every few seconds, so CI logs stay short. */
function progressPrinter(name: string, planned: number): { update: (p: Progress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  const every = tty ? 100 : 5_000;
  const started = performance.now();
  let last = started;
  let shown = false;
  const line = (p: Progress): string => {
    const secs = (performance.now() - started) / 1000;
    const phase = p.failed ? 'shrinking a failure' : `${Math.min(p.runs, planned)}/${planned} runs`;
    return `${name}: ${phase}, ${p.commands} commands, ${(p.virtualMs / 1000).toFixed(0)} virtual s, ${Math.round(p.commands / Math.max(secs, 0.001))} commands/s`;
  };
  return {
    update(p) {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      shown = true;
      process.stderr.write(tty ? `\r\x1b[2K${line(p)}` : `${line(p)}\n`);
    },
    done() {
      if (shown && tty) process.stderr.write('\r\x1b[2K');
    },
  };
}
