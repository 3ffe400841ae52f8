import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { selectAdapters, type SelectedAdapter } from './adapters.js';
import { chooseDatabase, type DatabaseChoice } from './database.js';
import { toJson } from '../report/json.js';
import { formatJUnit, junitFromCheck } from '../report/junit.js';
import { formatSummary } from '../report/summary.js';
import { formatResult } from '../report/text.js';
import { check, runsFromEnv, type CheckResult, type Progress } from '../runner/check.js';
import { runRaceChecks } from '../races/cli.js';
import { integer, wholeNumber } from './numbers.js';
import { UsageError } from './usage.js';

interface CheckArgs {
  readonly adapters: SelectedAdapter[];
  readonly runs: number;
  readonly seed: number | undefined;
  readonly path: string | undefined;
  readonly replayPath: string | undefined;
  readonly races: boolean;
  readonly json: string | undefined;
  readonly junit: string | undefined;
  readonly database: DatabaseChoice;
}

export async function parseCheckArgs(argv: readonly string[]): Promise<CheckArgs> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      adapter: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'replay-path': { type: 'string' },
      races: { type: 'boolean' },
      json: { type: 'string' },
      junit: { type: 'string' },
      db: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`check takes no positional arguments, got '${positionals.join(' ')}'; name adapters with --adapter`);
  const runs = values.runs === undefined ? runsFromEnv() : wholeNumber('--runs', values.runs, 1);
  const seed = values.seed === undefined ? undefined : integer('--seed', values.seed);
  if (values.path !== undefined && seed === undefined) throw new UsageError('--path replays a failure only with the --seed printed beside it; pass both');
  if (values['replay-path'] !== undefined && values.path === undefined) throw new UsageError('--replay-path goes with the --seed and --path printed beside it; pass all three');
  if (values.races === true && (values['replay-path'] ?? values.db) !== undefined) throw new UsageError('--races runs on pg-mem and reruns a failure with --seed and --path alone; leave out --replay-path and --db');
  const adapters = await selectAdapters(values);
  if (values.path !== undefined && adapters.length !== 1) throw new UsageError('--path replays one failure; name exactly one --adapter');
  const database = await chooseDatabase(values.db);
  return { adapters, runs, seed, path: values.path, replayPath: values['replay-path'], races: values.races === true, json: values.json, junit: values.junit, database };
}

export async function runCheck(argv: readonly string[]): Promise<number> {
  const args = await parseCheckArgs(argv);
  if (args.races) return runRaceChecks({ adapters: args.adapters, runs: args.runs, seed: args.seed, path: args.path, json: args.json, junit: args.junit });
  const results: { result: CheckResult; adapter: SelectedAdapter['adapter'] }[] = [];
  const reports: { rerun: string; report: string }[] = [];
  if (args.database.description !== null) process.stderr.write(`poolcheck: connections from ${args.database.description}, checked against pg_stat_activity after every command\n`);
  for (const { name, adapter } of args.adapters) {
    const progress = progressPrinter(adapter.name, args.runs);
    const result = await check({
      adapter,
      numRuns: args.runs,
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      ...(args.path === undefined ? {} : { path: args.path }),
      ...(args.replayPath === undefined ? {} : { replayPath: args.replayPath }),
      ...(args.database.connector === undefined ? {} : { connector: args.database.connector }),
      onProgress: progress.update,
    });
    progress.done();
    results.push({ result, adapter });
    // A pass prints its one-line verdict with the seed; a failure adds its trace and how to rerun it.
    const cli = `poolcheck check --adapter ${name}${args.database.rerunFlag}`;
    const report = formatResult(result, cli);
    reports.push({ rerun: result.failure === null ? `${cli} --seed ${result.seed}` : `${cli} --seed ${result.seed} --path ${result.failure.path}${result.failure.replayPath === null ? '' : ` --replay-path '${result.failure.replayPath}'`}`, report });
    process.stdout.write(`${report}\n${result.passed ? '' : '\n'}`);
  }
  process.stdout.write(`\n${formatSummary(results.map(({ result, adapter }) => ({ result, semantics: adapter.semantics })))}\n`);
  if (args.json !== undefined) {
    const text = `${JSON.stringify(toJson(results), null, 2)}\n`;
    if (args.json === '-') process.stdout.write(text);
    else await writeFile(args.json, text);
  }
  if (args.junit !== undefined) await writeFile(args.junit, formatJUnit(junitFromCheck(results.map(({ result, adapter }, i) => ({ result, semantics: adapter.semantics, ...reports[i]! })))));
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
