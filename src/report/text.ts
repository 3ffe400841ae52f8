import { describeConfig } from '../model/semantics.js';
import type { CheckResult } from '../runner/check.js';
import type { TraceStep } from '../runner/trace.js';
import { shellLine, shellWord } from './shell.js';
import { formatVirtual } from './summary.js';

/** How the CLI reaches the adapter of a result, for the rerun lines. */
export interface RerunContext {
  /** What `--adapter` takes for it: a built-in name or a module path; unknown when omitted. */
  readonly adapter?: string;
  /** Further words the rerun needs, like `--db URL`. */
  readonly extra?: readonly string[];
}

/**
 * A check result as text: a one-line verdict, and for a failure the trace and how to rerun it.
 * `rerun` says how the CLI reaches this adapter, for the `cli:` lines; every value in them is
 * quoted for a shell, so a line pastes as printed.
 */
export function formatResult(result: CheckResult, rerun: RerunContext = {}): string {
  const head = `${result.adapter}: ${result.passed ? 'passed' : 'FAILED'} after ${result.runs} run(s), ${result.commands} commands, ${formatVirtual(result.virtualMs)} of virtual time in ${(result.wallMs / 1000).toFixed(2)} s (seed ${result.seed})`;
  const failure = result.failure;
  if (failure === null) return head;
  const c = failure.config;
  const lines = [
    head,
    '',
    `Violation: ${failure.violation.message}`,
    `Config: ${describeConfig(c)}`,
    `Counterexample (${failure.length} command(s) after ${failure.shrinks} shrinks${failure.reproduced ? '' : '; NOTE: the replay for this trace did not fail again'}):`,
    ...failure.steps.map((s) => formatStep(s)),
    '',
    ...rerunLines(result, rerun),
  ];
  return lines.join('\n');
}

/** The rerun lines of a failure: its seed, path and replayPath, the token, and the commands to paste. */
export function rerunLines(result: CheckResult, rerun: RerunContext = {}): string[] {
  const failure = result.failure;
  if (failure === null) return [];
  const replay = failure.replayPath;
  // Unknown (a vitest file with an adapter object): a placeholder a reader cannot mistake for a path.
  const quotedAdapter = rerun.adapter === undefined ? '--adapter <your adapter module>' : `--adapter ${shellWord(rerun.adapter)}`;
  const extra = rerun.extra ?? [];
  const js = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return [
    `Rerun: seed ${result.seed}, path "${failure.path}"${replay === null ? '' : `, replayPath "${replay}"`}; token ${failure.token}`,
    `  vitest: poolProperties(adapter, { seed: ${result.seed}, path: ${js(failure.path)}${replay === null ? '' : `, replayPath: ${js(replay)}`} }), or check({ adapter, rerun: '${failure.token}' })`,
    `  cli:    poolcheck check ${quotedAdapter} ${shellLine(['--rerun', failure.token, ...extra])}`,
    `  cli:    poolcheck check ${quotedAdapter} ${shellLine(['--seed', String(result.seed), '--path', failure.path, ...(replay === null ? [] : ['--replay-path', replay]), ...extra])}`,
  ];
}

/** The command line that reruns a failure by its token, as `poolcheck check` prints it. */
export function rerunCommand(result: CheckResult, rerun: RerunContext = {}): string {
  const words = result.failure === null ? ['--seed', String(result.seed)] : ['--rerun', result.failure.token];
  return `poolcheck check ${rerun.adapter === undefined ? '--adapter <your adapter module>' : `--adapter ${shellWord(rerun.adapter)}`} ${shellLine([...words, ...(rerun.extra ?? [])])}`;
}

/** One step of a trace as the counterexample prints it: time, command, the model's prediction and what the pool said. */
export function formatStep(s: TraceStep): string {
  const mark = s.violation === undefined ? ' ' : '✗';
  const pad = String(s.index).padStart(2);
  const lines = [`${mark} ${pad}. t=${s.at} ms  ${s.command}`];
  if (s.predicted !== '') lines.push(`        model: ${s.predicted}`);
  if (s.observed !== '') lines.push(`        pool:  ${s.observed}`);
  if (s.violation !== undefined) lines.push(`        ✗ ${s.violation}`);
  return lines.join('\n');
}
