import { describeConfig } from '../model/semantics.js';
import { formatVirtual } from '../report/summary.js';
import type { ClientProgram, RaceCheckResult, RaceTraceLine } from './types.js';

/**
 * A race check as text: a one-line verdict, and for a failure the shrunk clients, the scheduled
 * trace and how to rerun it. `cli` is the command line that checks this adapter.
 */
export function formatRaceResult(result: RaceCheckResult, cli = 'poolcheck check --races --adapter <name>'): string {
  const head = `${result.adapter} (races): ${result.passed ? 'passed' : 'FAILED'} after ${result.runs} run(s), ${result.decisions} scheduler decisions, ${formatVirtual(result.virtualMs)} of virtual time in ${(result.wallMs / 1000).toFixed(2)} s (seed ${result.seed})`;
  const failure = result.failure;
  if (failure === null) return head;
  const c = failure.config;
  const width = Math.max(...failure.trace.map((line) => `t=${line.at} ms`.length), 0);
  return [
    head,
    '',
    `Violation: ${failure.violation.message}`,
    `Violation kind: ${failure.violation.kind}`,
    `Config: ${describeConfig(c)}`,
    `Clients (after ${failure.shrinks} shrinks):`,
    ...failure.clients.map((program, i) => `  c${i + 1}: ${describeProgram(program)}`),
    `Scheduled trace (${failure.decisions} scheduler decisions${failure.reproduced ? '' : '; NOTE: the replay for this trace did not fail again'}):`,
    ...failure.trace.map((line) => formatLine(line, width)),
    '',
    `Rerun: seed ${result.seed}, path "${failure.path}"; token ${failure.token}`,
    `  vitest: checkRaces({ adapter, seed: ${result.seed}, path: '${failure.path}' }), or checkRaces({ adapter, rerun: '${failure.token}' })`,
    `  cli:    ${cli} --rerun ${failure.token}`,
    `  cli:    ${cli} --seed ${result.seed} --path ${failure.path}`,
  ].join('\n');
}

function formatLine(line: RaceTraceLine, width: number): string {
  const mark = line.violation === undefined ? ' ' : '✗';
  return `${mark} ${`t=${line.at} ms`.padEnd(width)}  ${line.who.padEnd(7)}  ${line.text}`;
}

/** A client's rounds, e.g. "acquire, 1 query, hold 5 ms, release; sleep 3 ms, acquire, release". */
export function describeProgram(program: ClientProgram): string {
  return program
    .map((round) => {
      const parts: string[] = [];
      if (round.pause > 0) parts.push(round.block === undefined ? `sleep ${round.pause} ms` : `block ${round.pause} ms (wakes into ${round.block})`);
      if (round.fault !== undefined) parts.push('ms' in round.fault ? `${round.fault.kind}(${round.fault.ms})` : `${round.fault.kind}()`);
      parts.push(round.abort === true ? 'acquire (aborted)' : 'acquire');
      if (round.queries > 0) parts.push(`${round.queries} quer${round.queries === 1 ? 'y' : 'ies'}`);
      if (round.hold > 0) parts.push(`hold ${round.hold} ms`);
      parts.push(round.discard ? 'destroy' : 'release');
      return parts.join(', ');
    })
    .join('; ');
}
