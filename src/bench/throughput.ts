/**
 * poolcheck's `check()` against the hand-rolled baseline on the own pool: commands per second of
 * each, in alternating rounds within one process, and the median of the per-round ratios, since
 * the machine's load drifts between rounds.
 */
import { ownPoolAdapter } from '../adapters/own.js';
import { check } from '../runner/check.js';
import { runBaseline } from './baseline.js';
import { bestRatio, median, ratios } from './stats.js';

export interface ThroughputOptions {
  readonly runs: number;
  readonly rounds: number;
  readonly warmUpRuns: number;
}

export async function benchThroughput(options: ThroughputOptions): Promise<void> {
  const adapter = ownPoolAdapter();
  console.log(`check() against the hand-rolled baseline: the own pool on pg-mem, ${options.runs} runs each, ${options.rounds} alternating rounds, after ${options.warmUpRuns} runs of warm-up each`);
  // V8 keeps optimising pg-mem, fast-check and both harnesses for thousands of runs; measuring
  // before that reports the compiler.
  for (let done = 0; done < options.warmUpRuns; done += options.runs) {
    await check({ adapter, numRuns: options.runs, seed: -1 - done });
    await runBaseline({ adapter, numRuns: options.runs, seed: -1 - done });
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  const each: number[] = [];
  const eachCpu: number[] = [];
  // Seconds of wall and CPU time per command of each side, per round, for the best rounds' ratio.
  const cost = { check: [] as { wall: number; cpu: number }[], baseline: [] as { wall: number; cpu: number }[] };
  for (let round = 1; round <= options.rounds; round++) {
    // Which goes first alternates too, so neither always runs on the warmer or the quieter half.
    const wall: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    for (const which of round % 2 === 1 ? ['check', 'baseline'] : ['baseline', 'check']) {
      const before = process.cpuUsage();
      let commands: number;
      let wallMs: number;
      if (which === 'check') {
        const r = await check({ adapter, numRuns: options.runs, seed: round });
        if (!r.passed) throw new Error(`bench: the own pool failed check() in round ${round}; run npm test first`);
        ({ commands, wallMs } = r);
      } else {
        const r = await runBaseline({ adapter, numRuns: options.runs, seed: round });
        if (r.failed) throw new Error(`bench: the own pool failed the baseline in round ${round}`);
        ({ commands, wallMs } = r);
      }
      const used = process.cpuUsage(before);
      wall[which] = commands / (wallMs / 1000);
      cpu[which] = commands / ((used.user + used.system) / 1e6);
    }
    for (const which of ['check', 'baseline'] as const) cost[which].push({ wall: 1 / wall[which]!, cpu: 1 / cpu[which]! });
    ours.push(wall['check']!);
    theirs.push(wall['baseline']!);
    each.push(wall['check']! / wall['baseline']!);
    eachCpu.push(cpu['check']! / cpu['baseline']!);
    console.log(`  round ${round}: check() ${Math.round(wall['check']!)} commands/s, baseline ${Math.round(wall['baseline']!)} commands/s: ${each.at(-1)!.toFixed(2)}x (per CPU second: ${eachCpu.at(-1)!.toFixed(2)}x)`);
  }
  console.log(`  check() / baseline       ${median(each).toFixed(2)}x commands/s, the median of the rounds' ratios (${ratios(each)}; target >= 1.0x)`);
  console.log(`  per CPU second           ${median(eachCpu).toFixed(2)}x (${ratios(eachCpu)}): the same ratio in commands per second of this process's CPU time, which a busy machine disturbs less`);
  // Commands per second, so the baseline's least time per command over check()'s.
  const best = bestRatio(cost.baseline, cost.check, (x) => x.wall);
  const bestCpu = bestRatio(cost.baseline, cost.check, (x) => x.cpu);
  console.log(`  best rounds              ${best.toFixed(2)}x (per CPU second ${bestCpu.toFixed(2)}x): each side's fastest round against the other's, the rounds other work disturbed least`);
  console.log(`  medians                  check() ${Math.round(median(ours))}, baseline ${Math.round(median(theirs))} commands/s`);
}
