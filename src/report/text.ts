import { describeConfig } from '../model/semantics.js';
import type { CheckResult } from '../runner/check.js';
import type { TraceStep } from '../runner/trace.js';
import { formatVirtual } from './summary.js';

/**
 * A check result as text: a one-line verdict, and for a failure the trace and how to rerun it.
 * `cli` is the command line that checks this adapter, for the rerun hint.
 */
export function formatResult(result: CheckResult, cli = 'poolcheck check --adapter <name>'): string {
  const head = `${result.adapter}: ${result.passed ? 'passed' : 'FAILED'} after ${result.runs} run(s), ${result.commands} commands, ${formatVirtual(result.virtualMs)} of virtual time in ${(result.wallMs / 1000).toFixed(2)} s (seed ${result.seed})`;
  const failure = result.failure;
  if (failure === null) return head;
  const c = failure.config;
  const replay = failure.replayPath;
  const lines = [
    head,
    '',
    `Violation: ${failure.violation.message}`,
    `Config: ${describeConfig(c)}`,
    `Counterexample (${failure.length} command(s) after ${failure.shrinks} shrinks${failure.reproduced ? '' : '; NOTE: the replay for this trace did not fail again'}):`,
    ...failure.steps.map((s) => formatStep(s)),
    '',
    `Rerun: seed ${result.seed}, path "${failure.path}"${replay === null ? '' : `, replayPath "${replay}"`}`,
    `  vitest: check({ adapter, seed: ${result.seed}, path: '${failure.path}'${replay === null ? '' : `, replayPath: '${replay}'`} })`,
    `  cli:    ${cli} --seed ${result.seed} --path ${failure.path}${replay === null ? '' : ` --replay-path '${replay}'`}`,
  ];
  return lines.join('\n');
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
