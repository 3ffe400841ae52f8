import { parseArgs } from 'node:util';
import { readCaseFile, type Expectation, type RegressionCase } from '../corpus/file.js';
import { replayCase, type CaseReplay } from '../corpus/replay.js';
import { describeSemantics } from '../model/semantics.js';
import { formatStep } from '../report/text.js';
import { renderTimelineAscii } from '../report/timeline-ascii.js';
import { renderTimelineHtml } from '../report/timeline-html.js';
import { describeConfig, divergingStep, shownSteps, type TimelineInput } from '../report/timeline-layout.js';
import { chooseDatabase } from './database.js';
import { prepareOutput, writeOutput } from './output.js';
import { UsageError } from './usage.js';

/** The JSON `poolcheck replay --json` prints. Fields are only added within a schema version. */
export const REPLAY_SCHEMA = 'poolcheck/replay@1';

interface ReplayArgs {
  readonly file: string;
  readonly html: string | undefined;
  readonly json: boolean;
  readonly db: string | undefined;
}

export function parseReplayArgs(argv: readonly string[]): ReplayArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { html: { type: 'string' }, json: { type: 'boolean' }, db: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError('replay needs the case file to rerun, like fixtures/regressions/own/<hash>.json');
  if (positionals.length > 1) throw new UsageError(`replay reruns one case file at a time, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.html === '') throw new UsageError('--html needs the path of the page to write, like --html timeline.html');
  if (values.db === '') throw new UsageError('--db needs the URL of a PostgreSQL server, like --db postgres://user:password@localhost:5432/db');
  return { file: positionals[0]!, html: values.html, json: values.json === true, db: values.db };
}

/**
 * `poolcheck replay <file> [--html OUT] [--json] [--db URL]`: reruns one saved case and shows it
 * step by step with its timeline. Exit code 0 when the file's expectation holds, 1 when it does
 * not; a missing or bad file, an adapter that cannot be loaded, or a server that does not answer is
 * a DefinitionError (exit 2, from main).
 */
export async function runReplay(argv: readonly string[]): Promise<number> {
  const args = parseReplayArgs(argv);
  // Checked before the replay: a page that cannot be written is an error at once.
  const html = args.html === undefined ? undefined : prepareOutput('--html', args.html, { mkdirs: true });
  // Only `--db` picks a server, not DATABASE_URL as for check: a case file says what it holds on
  // pg-mem, where `npm test` replays it, and replays so wherever it is run unless asked otherwise.
  const database = await chooseDatabase(args.db ?? 'pg-mem', {});
  const saved = await readCaseFile(args.file);
  const result = await replayCase(saved, database.connector === undefined ? {} : { connector: database.connector });
  const input: TimelineInput = { adapter: saved.adapter.name, config: saved.config, semantics: saved.semantics, outcome: result.outcome };
  let htmlPath: string | null = null;
  if (html !== undefined && 'file' in html) {
    htmlPath = html.file;
    writeOutput(html, renderTimelineHtml(input));
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(replayJson(args.file, saved, result, database.description), null, 2)}\n`);
    if (htmlPath !== null) process.stderr.write(`timeline page: ${htmlPath}\n`);
  } else {
    const color = process.stdout.isTTY === true && !noColor();
    process.stdout.write(`${formatReplay(args.file, saved, result, input, color, database.description)}\n`);
    if (htmlPath !== null) process.stdout.write(`timeline page: ${htmlPath}\n`);
  }
  return result.holds ? 0 : 1;
}

/** NO_COLOR, when set to anything but the empty string, turns colour off (no-color.org). */
function noColor(): boolean {
  const v = process.env['NO_COLOR'];
  return v !== undefined && v !== '';
}

/** The text `poolcheck replay` prints: the case, its steps, the timeline, and the verdict on the expectation. */
export function formatReplay(file: string, saved: RegressionCase, result: CaseReplay, input: TimelineInput, color = false, database: string | null = null): string {
  const { outcome } = result;
  const v = outcome.violation;
  const lines = [
    `replay ${file}`,
    ...(database === null ? [] : [`Connections: ${database}, checked against pg_stat_activity after every command`]),
    `Adapter: ${saved.adapter.name} (${'builtIn' in saved.adapter ? `built-in ${saved.adapter.builtIn}` : `module ${saved.adapter.module}`}); declared: ${describeSemantics(saved.semantics)}`,
    `Config: ${describeConfig(saved.config)}`,
    `Expect: ${describeExpectation(saved.expect)}`,
    `Found: ${v === null ? 'no violation' : `${v.kind}: ${v.message}`}`,
    '',
    `Steps (${outcome.commands} command(s) from the file, with the pool's creation and the runner's closing checks):`,
    ...summarisedSteps(outcome.trace),
    '',
    renderTimelineAscii(input, { color }),
    '',
    result.holds ? `Expectation holds: ${result.explanation}` : `Expectation does NOT hold: ${result.explanation}`,
  ];
  return lines.join('\n');
}

/**
 * The steps as text; of a long run, the first ones and those around the divergence (or the end),
 * with a line for each stretch left out (`--json` has them all).
 */
function summarisedSteps(trace: CaseReplay['outcome']['trace']): string[] {
  const lines: string[] = [];
  let next = 0;
  const skip = (from: number, to: number): void => void lines.push(`   ... steps ${from} to ${to} left out (${to - from + 1} steps; --json lists every step)`);
  for (const r of shownSteps(trace.length, divergingStep(trace))) {
    if (r.from > next) skip(next, r.from - 1);
    for (let i = r.from; i <= r.to; i++) lines.push(formatStep(trace[i]!));
    next = r.to + 1;
  }
  if (next < trace.length) skip(next, trace.length - 1);
  return lines;
}

function describeExpectation(e: Expectation): string {
  return e.verdict === 'pass' ? 'pass (the pool must pass it)' : `fail with ${e.violation.kind} (a known bug kept as evidence): ${e.violation.message}`;
}

/** `database`: the server the connections came from (`PostgreSQL at host:port/db (from --db)`), null for pg-mem. */
export function replayJson(file: string, saved: RegressionCase, result: CaseReplay, database: string | null = null): unknown {
  const { outcome } = result;
  return {
    schema: REPLAY_SCHEMA,
    file,
    database,
    adapter: saved.adapter,
    config: saved.config,
    expect: saved.expect,
    holds: result.holds,
    explanation: result.explanation,
    semanticsChanged: result.semanticsChanged,
    violation: outcome.violation,
    commands: outcome.commands,
    virtualMs: outcome.virtualMs,
    steps: outcome.trace,
    timeline: outcome.timeline ?? null,
  };
}
