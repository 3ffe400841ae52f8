import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { selectAdapters, type SelectedAdapter } from './adapters.js';
import { toJson } from '../report/json.js';
import { formatSummary } from '../report/summary.js';
import { formatResult } from '../report/text.js';
import { check, runsFromEnv, type CheckResult, type Progress } from '../runner/check.js';
import { integer, wholeNumber } from './numbers.js';
import { UsageError } from './usage.js';

interface CheckArgs {
  readonly adapters: SelectedAdapter[];
  readonly runs: number;
  readonly seed: number | undefined;
  readonly path: string | undefined;
  readonly replayPath: string | undefined;
  readonly json: string | undefined;
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
      json: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`check takes no positional arguments, got '${positionals.join(' ')}'; name adapters with --adapter`);
  const runs = values.runs === undefined ? runsFromEnv() : wholeNumber('--runs', values.runs, 1);
  const seed = values.seed === undefined ? undefined : integer('--seed', values.seed);
  if (values.path !== undefined && seed === undefined) throw new UsageError('--path replays a failure only with the --seed printed beside it; pass both');
  if (values['replay-path'] !== undefined && values.path === undefined) throw new UsageError('--replay-path goes with the --seed and --path printed beside it; pass all three');
  const adapters = await selectAdapters(values);
  if (values.path !== undefined && adapters.length !== 1) throw new UsageError('--path replays one failure; name exactly one --adapter');
  return { adapters, runs, seed, path: values.path, replayPath: values['replay-path'], json: values.json };
}

export async function runCheck(argv: readonly string[]): Promise<number> {
  const args = await parseCheckArgs(argv);
  const results: { result: CheckResult; adapter: SelectedAdapter['adapter'] }[] = [];
  for (const { name, adapter } of args.adapters) {
    const progress = progressPrinter(adapter.name, args.runs);
    const result = await check({
      adapter,
      numRuns: args.runs,
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      ...(args.path === undefined ? {} : { path: args.path }),
      ...(args.replayPath === undefined ? {} : { replayPath: args.replayPath }),
      onProgress: progress.update,
    });
    progress.done();
    results.push({ result, adapter });
    // A pass prints its one-line verdict with the seed; a failure adds its trace and how to rerun it.
    process.stdout.write(`${formatResult(result, `poolcheck check --adapter ${name}`)}\n${result.passed ? '' : '\n'}`);
  }
  process.stdout.write(`\n${formatSummary(results.map(({ result, adapter }) => ({ result, semantics: adapter.semantics })))}\n`);
  if (args.json !== undefined) {
    const text = `${JSON.stringify(toJson(results), null, 2)}\n`;
    if (args.json === '-') process.stdout.write(text);
    else await writeFile(args.json, text);
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
