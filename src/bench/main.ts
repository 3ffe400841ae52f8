/**
 * `npm run bench`: the speed and memory of poolcheck checking its own pool on pg-mem, and how fast
 * each mutant in fixtures/mutants is caught. Never part of `npm test`.
 *
 * Throughput is measured after a warm-up, since the first few thousand runs also pay for V8
 * compiling pg-mem, fast-check and the harness.
 */
import { parseArgs } from 'node:util';
import { mutants } from '../../fixtures/mutants/index.js';
import { ownPoolAdapter } from '../adapters/own.js';
import { check, DEFAULT_RUNS } from '../runner/check.js';
import { benchFuzzScaling } from './fuzz.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3000' },
    rounds: { type: 'string', default: '5' },
    'mutant-seeds': { type: 'string', default: '5' },
    only: { type: 'string' },
    'fuzz-runs': { type: 'string', default: '12000' },
  },
});
const runs = positive('--runs', values.runs);
const rounds = positive('--rounds', values.rounds);
const mutantSeeds = positive('--mutant-seeds', values['mutant-seeds']);
const fuzzRuns = positive('--fuzz-runs', values['fuzz-runs']);
if (values.only !== undefined && values.only !== 'fuzz') throw new Error(`bench: --only takes 'fuzz' (the fuzz scaling part alone), got '${values.only}'`);
if (values.only === 'fuzz') {
  await benchFuzzScaling({ runs: fuzzRuns, warmUpRuns: 3 * runs, rounds });
  process.exit(0);
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: ${flag} takes a whole number >= 1, got '${raw}'`);
  return n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

// V8 keeps optimising pg-mem, fast-check and the harness for several thousand runs; measuring
// before that reports the compiler, not poolcheck.
const WARM_UP_PASSES = 3;
console.log(`poolcheck bench: node ${process.version}, ${runs} runs x ${rounds} rounds after a warm-up of ${WARM_UP_PASSES * runs} runs`);
process.stdout.write('warming up... ');
for (let pass = 0; pass < WARM_UP_PASSES; pass++) await check({ adapter: ownPoolAdapter(), numRuns: runs, seed: -1 - pass });
console.log('done');

let peakRss = process.memoryUsage().rss;
const cps: number[] = [];
const vps: number[] = [];
const rps: number[] = [];
for (let round = 1; round <= rounds; round++) {
  const r = await check({ adapter: ownPoolAdapter(), numRuns: runs, seed: round, onProgress: () => void (peakRss = Math.max(peakRss, process.memoryUsage.rss())) });
  if (!r.passed) throw new Error(`bench: the own pool failed in round ${round}; run npm test first`);
  const secs = r.wallMs / 1000;
  cps.push(r.commands / secs);
  vps.push(r.virtualMs / 1000 / secs);
  rps.push(r.runs / secs);
  console.log(`round ${round}: ${r.runs} runs, ${r.commands} commands in ${secs.toFixed(2)} s: ${Math.round(r.commands / secs)} commands/s, ${Math.round(r.virtualMs / 1000 / secs)} virtual s per wall s`);
}
globalThis.gc?.();
const heapAfter = process.memoryUsage().heapUsed;

console.log('');
console.log('own pool on pg-mem (median of the rounds)');
console.log(`  commands/s               ${Math.round(median(cps))}`);
console.log(`  runs/s                   ${Math.round(median(rps))}`);
console.log(`  virtual s per wall s     ${Math.round(median(vps))}`);
console.log(`  peak RSS                 ${mib(peakRss)}`);
console.log(`  heap after the rounds    ${globalThis.gc === undefined ? 'n/a (run node with --expose-gc)' : mib(heapAfter)}`);

console.log('');
console.log(`mutants: default ${DEFAULT_RUNS} runs, seeds 1..${mutantSeeds}; medians, with the worst seed in brackets`);
const header = ['mutant', 'caught', 'runs to failure', 'time to failure', 'shrunk length (commands)'];
const rows: string[][] = [header];
for (const mutant of mutants) {
  const found: { runs: number; ms: number; steps: number }[] = [];
  for (let seed = 1; seed <= mutantSeeds; seed++) {
    const started = performance.now();
    let firstFailureMs = Number.NaN;
    const r = await check({
      adapter: mutant.adapter,
      numRuns: DEFAULT_RUNS,
      seed,
      onProgress: (p) => {
        if (p.failed && Number.isNaN(firstFailureMs)) firstFailureMs = performance.now() - started;
      },
    });
    if (r.failure !== null) found.push({ runs: r.runs, ms: firstFailureMs, steps: r.failure.length });
  }
  const cell = (xs: number[], unit = ''): string => (xs.length === 0 ? '-' : `${Math.round(median(xs))}${unit} [${Math.round(Math.max(...xs))}${unit}]`);
  rows.push([
    mutant.adapter.name.replace(/^mutant: /, ''),
    `${found.length}/${mutantSeeds}`,
    cell(found.map((f) => f.runs)),
    cell(found.map((f) => f.ms), ' ms'),
    cell(found.map((f) => f.steps)),
  ]);
}
const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd());
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}

console.log('');
await benchFuzzScaling({ runs: fuzzRuns, warmUpRuns: WARM_UP_PASSES * runs, rounds });
