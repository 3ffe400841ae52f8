import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILT_IN_ADAPTERS } from '../adapters/registry.js';
import type { AdapterSource } from '../corpus/adapter-ref.js';
import { Corpus } from '../corpus/store.js';
import { runCampaign, type CampaignAdapter, type CampaignResult, type FoundCase } from '../fuzz/campaign.js';
import { junitFromCampaign } from '../fuzz/junit.js';
import { campaignProgress } from '../fuzz/progress.js';
import type { Shard } from '../fuzz/plan.js';
import { formatVirtual } from '../report/summary.js';
import { selectAdapters } from './adapters.js';
import { joinNegativeValues, seedValue, wholeNumber } from './numbers.js';
import { findConfigFile, loadConfigFile, selectConfigAdapters, type ConfigAdapter } from './config-file.js';
import { checkRangesFit, RANGE_OPTIONS, rangesFrom } from './ranges.js';
import type { ConfigRanges } from '../runner/config-ranges.js';
import { DefinitionError } from '../runner/violation-error.js';
import { prepareOutput, writeOutput, type OutputTarget } from './output.js';
import { UsageError } from './usage.js';

/** With neither --time nor --runs, a campaign runs this long. */
export const DEFAULT_FUZZ_TIME = '1m';
export const DEFAULT_CORPUS = 'fixtures/regressions';

export interface FuzzArgs {
  readonly adapters: CampaignAdapter[];
  /** What the user typed for each adapter, for rerun lines. */
  readonly labels: Map<CampaignAdapter, string>;
  readonly budget: { readonly runs: number } | { readonly timeMs: number };
  readonly workers: number;
  readonly seed: number;
  readonly shard: Shard;
  readonly corpus: string;
  readonly junit: OutputTarget | undefined;
  readonly evidence: boolean;
  readonly alsoFor: CampaignAdapter | undefined;
  /** --min, --max, --lifetime, --acquire-timeout and a config file's `configs`. */
  readonly ranges: ConfigRanges | undefined;
}

export async function parseFuzzArgs(argv: readonly string[]): Promise<FuzzArgs> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(argv, new Set(['--seed'])),
    options: {
      adapter: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      time: { type: 'string' },
      runs: { type: 'string' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      shard: { type: 'string' },
      corpus: { type: 'string' },
      junit: { type: 'string' },
      evidence: { type: 'boolean' },
      'also-for': { type: 'string' },
      ...RANGE_OPTIONS,
      config: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`fuzz takes no positional arguments, got '${positionals.join(' ')}'; name adapters with --adapter`);
  if (values.time !== undefined && values.runs !== undefined) throw new UsageError('--time and --runs both set a budget; give one of them');
  // A config file (poolcheck.config.* in the working directory, or --config) gives defaults; every
  // flag given on the command line wins over it.
  const configPath = findConfigFile(values.config);
  const file = configPath === null ? null : await loadConfigFile(configPath);
  const flagBudget = values.runs !== undefined || values.time !== undefined;
  const budget =
    values.runs !== undefined ? { runs: wholeNumber('--runs', values.runs, 1) }
    : !flagBudget && file?.fuzz?.runs !== undefined ? { runs: file.fuzz.runs }
    : { timeMs: duration(values.time === undefined ? 'fuzz.time' : '--time', values.time ?? file?.fuzz?.time ?? DEFAULT_FUZZ_TIME) };
  const workers = values.workers === undefined ? (file?.fuzz?.workers ?? availableParallelism()) : wholeNumber('--workers', values.workers, 1);
  const seed = values.seed === undefined ? (Date.now() ^ (Math.random() * 0x100000000)) | 0 : seedValue('--seed', values.seed);
  const shard = values.shard === undefined ? { index: 1, count: 1 } : parseShard(values.shard);
  if (values.corpus === '') throw new UsageError('--corpus takes a directory, got an empty string');
  // Checked before the campaign: a report that cannot be written must not cost the campaign.
  const junit = values.junit === undefined ? undefined : prepareOutput('--junit', values.junit);
  const fromFile = values.adapter === undefined && values.all !== true && file?.adapters !== undefined;
  const selected = fromFile ? await selectConfigAdapters({ ...file!, adapters: nameable(file!.adapters!) }) : await selectAdapters(values);
  const ranges = file?.ranges === undefined ? rangesFrom(values) : { ...file.ranges, ...rangesFrom(values) };
  if (ranges !== undefined) for (const { adapter } of selected) checkRangesFit(ranges, adapter);
  const labels = new Map<CampaignAdapter, string>();
  const adapters = selected.map(({ name, adapter }) => {
    const a = { source: sourceOf(name), adapter };
    labels.set(a, name);
    return a;
  });
  let alsoFor: CampaignAdapter | undefined;
  if (values['also-for'] !== undefined) {
    const [one] = await selectAdapters({ adapter: [values['also-for']] });
    alsoFor = { source: sourceOf(values['also-for']), adapter: one!.adapter };
  }
  return { adapters, labels, budget, workers, seed, shard, corpus: values.corpus ?? file?.corpus ?? DEFAULT_CORPUS, junit, evidence: values.evidence === true, alsoFor, ranges };
}

/**
 * A case file names its adapter so that it replays anywhere: a built-in name or a module path. A
 * config file's adapter objects and built-ins with options have no such name.
 */
function nameable(entries: readonly ConfigAdapter[]): string[] {
  return entries.map((entry, i) => {
    if (typeof entry === 'string') return entry;
    throw new DefinitionError(`poolcheck: the config file's adapters[${i}] is not a built-in name or a module path; fuzz saves each case with an adapter it can load again, so give fuzz a module that exports this adapter`);
  });
}

/** The source of what `--adapter` named: a built-in name, or a module path from the working directory. */
function sourceOf(typed: string): AdapterSource {
  return BUILT_IN_ADAPTERS[typed] !== undefined ? { builtIn: typed } : { module: resolve(typed) };
}

/** `90s`, `10m`, `1h` or `500ms`, as milliseconds. */
export function duration(flag: string, raw: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(raw);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = m === null ? 0 : Number(m[1]) * unit[m[2] as keyof typeof unit];
  if (m === null || ms <= 0) throw new UsageError(`${flag} takes a duration like 90s, 10m or 1h (a whole number above 0 with ms, s, m or h), got '${raw}'`);
  return ms;
}

/** `i/n`: this process is shard i of n, 1 <= i <= n. */
export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (m === null || count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes i/n with 1 <= i <= n, like 1/4, got '${raw}'`);
  return { index, count };
}

/**
 * `poolcheck fuzz`: a campaign on every worker, saving one case per bug to the corpus. SIGINT or
 * SIGTERM stops handing out chunks and lets those in flight finish (a second signal drops them);
 * what was found is saved either way, the summary printed, and the exit code is 130 (143 for
 * SIGTERM). A case the corpus cannot take is printed as JSON on stderr, and the exit code is 3.
 */
export async function runFuzz(argv: readonly string[]): Promise<number> {
  const args = await parseFuzzArgs(argv);
  const corpus = new Corpus(resolve(args.corpus));
  await corpus.load();
  const stop = new AbortController();
  const kill = new AbortController();
  let signal: 'SIGINT' | 'SIGTERM' | null = null;
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => (): void => {
    if (!stop.signal.aborted) {
      signal = name;
      stop.abort();
      process.stderr.write(`\npoolcheck fuzz: ${name}: stopping; finishing the chunks in flight (Ctrl-C again to drop them)\n`);
    } else kill.abort();
  };
  const onSigint = onSignal('SIGINT');
  const onSigterm = onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const label = (a: CampaignAdapter): string => args.labels.get(a) ?? a.adapter.name;
  const budget = 'runs' in args.budget ? `${args.budget.runs} runs per adapter` : `${formatVirtual(args.budget.timeMs)}`;
  process.stderr.write(`poolcheck fuzz: ${args.adapters.map(label).join(', ')}; seed ${args.seed}, shard ${args.shard.index}/${args.shard.count}, ${budget}, ${args.workers} worker(s), corpus ${args.corpus}\n`);
  const progress = campaignProgress();
  let result: CampaignResult;
  try {
    result = await runCampaign({
      adapters: args.adapters,
      seed: args.seed,
      shard: args.shard,
      budget: args.budget,
      workers: args.workers,
      ...(args.ranges === undefined ? {} : { ranges: args.ranges }),
      corpus,
      evidence: args.evidence,
      ...(args.alsoFor === undefined ? {} : { alsoFor: args.alsoFor }),
      signal: stop.signal,
      kill: kill.signal,
      onProgress: progress.update,
      onCase: (c) => {
        // One line per new case, none per failure of a bug already kept: the summary counts those.
        const line = describeCase(c, label);
        if (line === null) return;
        progress.done();
        process.stderr.write(`${line}\n`);
      },
    });
  } finally {
    progress.done();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  process.stdout.write(`${formatCampaign(result, label)}\n`);
  if (args.junit !== undefined) writeOutput(args.junit, junitFromCampaign(result, label));
  if (result.found.some((c) => c.saved?.status === 'unsaved' || c.alsoSaved?.status === 'unsaved')) return 3;
  if (result.interrupted) return signal === 'SIGTERM' ? 143 : 130;
  return result.found.length === 0 ? 0 : 1;
}

/**
 * The line for a case as it is found: a new file, a case the corpus could not take (with its
 * JSON, so it is not lost), or one that did not fail again; null for another failure of a bug
 * the corpus already keeps.
 */
function describeCase(c: FoundCase, label: (a: CampaignAdapter) => string): string | null {
  const v = c.failure.violation;
  const head = `${label(c.adapter)}: ${v.kind} (chunk ${c.job.k}, seed ${c.job.seed})`;
  const unsaved = [c.saved, c.alsoSaved].find((s) => s?.status === 'unsaved');
  if (unsaved !== undefined && unsaved !== null) {
    return `${head}: NOT SAVED: the corpus cannot be written (${unsaved.error}); the case follows, save it as ${relative(process.cwd(), unsaved.file)}:\n${unsaved.text ?? ''}`;
  }
  if (c.saved === null && !c.failure.reproduced) return `${head}: not saved (the shrunk case did not fail again on replay)`;
  if (c.saved?.status !== 'saved' && c.alsoSaved?.status !== 'saved') return null;
  const where = (s: FoundCase['saved']): string => (s === null ? 'not saved' : `${s.status === 'saved' ? `new case: ${relative(process.cwd(), s.file)}${s.replaced === undefined ? '' : ' (shorter than the one saved before)'}` : `already known: ${relative(process.cwd(), s.file)}`}`);
  const also = c.alsoSaved !== null ? `; for the fixed pool, ${where(c.alsoSaved)}` : c.alsoSkipped !== null ? `; not saved for the fixed pool: ${c.alsoSkipped}` : '';
  return `${head}, ${where(c.saved)}${also}`;
}

/**
 * The final summary: totals; per adapter and violation, the failures found and the new cases
 * they gave; then the files saved and the distinct files already known.
 */
export function formatCampaign(r: CampaignResult, label: (a: CampaignAdapter) => string): string {
  const secs = r.wallMs / 1000;
  const files = r.found.flatMap((c) => [c.saved, c.alsoSaved]).filter((s) => s !== null);
  const saved = [...new Set(files.filter((s) => s.status === 'saved' && !files.some((o) => o.replaced === s.file)).map((s) => s.file))].map((f) => relative(process.cwd(), f));
  const known = [...new Set(files.filter((s) => s.status === 'known' || s.status === 'duplicate').map((s) => relative(process.cwd(), s.file)))].filter((f) => !saved.includes(f));
  const unsaved = files.filter((s) => s.status === 'unsaved').length;
  const bugs = new Map<string, { failures: number; fresh: number }>();
  for (const c of r.found) {
    const key = `${label(c.adapter)}: ${c.failure.violation.kind}`;
    const b = bugs.get(key) ?? { failures: 0, fresh: 0 };
    b.failures++;
    if (c.saved?.status === 'saved' && c.saved.replaced === undefined) b.fresh++;
    bugs.set(key, b);
  }
  const lines = [
    `fuzz ${r.interrupted ? 'INTERRUPTED' : 'done'}: seed ${r.seed}, shard ${r.shard.index}/${r.shard.count}: ${r.runs} runs, ${r.commands} commands, ${formatVirtual(r.virtualMs)} of virtual time in ${secs.toFixed(1)} s (${Math.round(r.runs / Math.max(secs, 0.001))} runs/s)`,
    ...r.perAdapter.map((a) => `  ${label(a.adapter)}: ${a.runs} runs, ${a.failures} failure(s) found`),
    `failures found: ${r.found.length}`,
    ...[...bugs].map(([key, b]) => `  ${key}: ${b.failures} failure(s), ${b.fresh} new case(s)`),
    `files saved: ${saved.length}`,
    ...saved.map((f) => `  ${f}`),
    `files already known: ${known.length}`,
    ...known.map((f) => `  ${f}`),
    ...(unsaved === 0 ? [] : [`NOT SAVED: ${unsaved} case(s) the corpus could not take; their JSON is on stderr above (exit code 3)`]),
  ];
  return lines.join('\n');
}
