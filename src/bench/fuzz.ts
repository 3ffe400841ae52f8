/**
 * The fuzz part of `npm run bench`: campaign throughput with one worker thread and with two, over
 * the same fixed-run campaign of the own pool, after warming up the very threads that are
 * measured (a fresh thread compiles pg-mem, fast-check and the harness all over again).
 */
import { ownPoolAdapter } from '../adapters/own.js';
import { runCampaign, type CampaignAdapter } from '../fuzz/campaign.js';
import { Worker } from 'node:worker_threads';
import { threadExecutor, type Executor } from '../fuzz/executor.js';

export interface FuzzBenchOptions {
  /** Runs per measured campaign. */
  readonly runs: number;
  /** Runs of warm-up per worker thread. */
  readonly warmUpRuns: number;
  readonly rounds: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchFuzzScaling(options: FuzzBenchOptions): Promise<void> {
  const own: CampaignAdapter = { source: { builtIn: 'own' }, adapter: ownPoolAdapter() };
  console.log(`fuzz scaling: the own pool, a campaign of ${options.runs} runs in chunks of 100, ${options.rounds} rounds, after ${options.warmUpRuns} runs of warm-up per worker thread`);
  const rates = new Map<number, number>();
  // CPU time per run, the whole process (every thread): on a busy machine wall-clock rates say more
  // about the neighbours than about poolcheck, while CPU per run still shows whether a second
  // worker adds overhead.
  const cpuPerRun = new Map<number, number>();
  for (const workers of [1, 2]) {
    const executors: Executor[] = Array.from({ length: workers }, () => threadExecutor([own.source]));
    try {
      const campaign = (seed: number, runs: number) => runCampaign({ adapters: [own], seed, shard: { index: 1, count: 1 }, budget: { runs }, workers, corpus: null, executors });
      await campaign(-1, options.warmUpRuns * workers);
      const perRound: number[] = [];
      const cpu: number[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const r = await campaign(round, options.runs);
        const secs = (performance.now() - started) / 1000;
        const used = process.cpuUsage(cpuBefore);
        cpu.push((used.user + used.system) / r.runs);
        if (r.failures > 0) throw new Error(`bench: the own pool failed during the fuzz campaign (seed ${round}); run npm test first`);
        perRound.push(r.runs / secs);
        console.log(`  ${workers} worker(s), round ${round}: ${r.runs} runs in ${secs.toFixed(2)} s: ${Math.round(r.runs / secs)} runs/s, ${Math.round(cpu.at(-1)!)} µs of CPU per run`);
      }
      rates.set(workers, median(perRound));
      cpuPerRun.set(workers, median(cpu));
    } finally {
      await Promise.all(executors.map((e) => e.close()));
    }
  }
  const one = rates.get(1) ?? 0;
  const two = rates.get(2) ?? 0;
  console.log('');
  console.log('fuzz throughput (median of the rounds)');
  console.log(`  1 worker                 ${Math.round(one)} runs/s`);
  console.log(`  2 workers                ${Math.round(two)} runs/s`);
  console.log(`  2 workers / 1 worker     ${(two / Math.max(one, 1e-9)).toFixed(2)}x (target >= 1.7x on 2 cores)`);
  const machine = await pureCpuScaling();
  console.log(`  machine check            ${machine.toFixed(2)}x for two threads of pure arithmetic against one, measured just now (below 1.9x: other work shares the cores)`);
  console.log(`  CPU per run              ${Math.round(cpuPerRun.get(1) ?? 0)} µs with 1 worker, ${Math.round(cpuPerRun.get(2) ?? 0)} µs with 2 (equal means the second worker costs nothing extra)`);
}

/**
 * What two threads of pure arithmetic get against one on this machine right now: the ceiling for
 * the fuzz ratio above, which tells a busy machine from a campaign that does not scale.
 */
async function pureCpuScaling(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); let x = 0; for (let i = 0; i < 1e8; i++) x = (x + i * 7) % 1000003; parentPort.postMessage(x);`;
  const rate = async (threads: number): Promise<number> => {
    const started = performance.now();
    await Promise.all(Array.from({ length: threads }, () => new Promise((resolve) => new Worker(code, { eval: true }).once('message', resolve))));
    return threads / (performance.now() - started);
  };
  const ratios: number[] = [];
  for (let i = 0; i < 3; i++) ratios.push((await rate(2)) / (await rate(1)));
  return median(ratios);
}
