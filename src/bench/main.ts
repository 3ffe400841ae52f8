/**
 * `npm run bench`: poolcheck's speed, with what it is compared against measured in the same
 * process. Never part of `npm test`. Parts, each alone with `--only PART` (repeatable):
 *   throughput  check() against a hand-rolled fast-check harness, commands/s and their ratio
 *   overhead    the same command lists replayed with every check and by a bare driver
 *   mutants     the mutant zoo through both harnesses: runs and wall time to the first failure
 *   memory      heap and RSS over 40,000 runs, and their slopes
 *   scenario    the seed scenario against real time, in process and through the CLI
 *   fuzz        a fuzz campaign with one worker thread and with two
 * `--quick` shrinks every part to a smoke run. Absolute rates drift with the machine's load; the
 * ratios, each the median of alternating rounds, are the figures to quote.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { benchFuzzScaling } from './fuzz.js';
import { benchMemory } from './memory.js';
import { benchMutants } from './mutants.js';
import { benchOverhead } from './overhead.js';
import { benchScenario } from './scenario.js';
import { benchThroughput } from './throughput.js';

const PARTS = ['throughput', 'overhead', 'mutants', 'memory', 'scenario', 'fuzz'] as const;
type Part = (typeof PARTS)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    rounds: { type: 'string' },
    'warm-up': { type: 'string' },
    'mutant-seeds': { type: 'string' },
    lists: { type: 'string' },
    'memory-runs': { type: 'string' },
    'fuzz-runs': { type: 'string' },
  },
});
const quick = values.quick === true;
const number = (flag: string, raw: string | undefined, full: number, smoke: number): number => {
  if (raw === undefined) return quick ? smoke : full;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`bench: --${flag} takes a whole number >= 1, got '${raw}'`);
  return n;
};
const runs = number('runs', values.runs, 2000, 100);
const rounds = number('rounds', values.rounds, 5, 1);
const only = (values.only ?? [...PARTS]).flatMap((p) => p.split(','));
for (const part of only) {
  if (!(PARTS as readonly string[]).includes(part)) throw new Error(`bench: --only takes one of ${PARTS.join(', ')}; got '${part}'`);
}
const wanted = (part: Part): boolean => only.includes(part);

// Other work on the machine moves every absolute figure: say how much there was.
console.log(`poolcheck bench: node ${process.version}${quick ? ', quick' : ''}; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)} at the start`);
// V8 goes on compiling check()'s code, on threads of its own, for thousands of runs after the
// baseline's has settled: their CPU counts in the per-CPU-second ratio until it stops.
if (wanted('throughput')) await benchThroughput({ runs, rounds, warmUpRuns: number('warm-up', values['warm-up'], 3 * runs, 3 * runs) });
if (wanted('overhead')) await section(() => benchOverhead({ lists: number('lists', values.lists, 300, 20), rounds }));
if (wanted('mutants')) await section(() => benchMutants(number('mutant-seeds', values['mutant-seeds'], 5, 1)));
if (wanted('memory')) await section(() => benchMemory(number('memory-runs', values['memory-runs'], 40_000, 400), quick ? 4 : 20));
if (wanted('scenario')) await section(() => benchScenario(quick ? 2 : 10));
if (wanted('fuzz')) await section(() => benchFuzzScaling({ runs: number('fuzz-runs', values['fuzz-runs'], 6000, 400), warmUpRuns: quick ? 100 : 3 * runs, rounds }));

async function section(part: () => Promise<void>): Promise<void> {
  console.log('');
  await part();
}
