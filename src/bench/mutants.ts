/**
 * The mutant zoo through both harnesses: for each deliberately broken own pool, whether poolcheck's
 * `check()` and the hand-rolled baseline catch it within the default runs, after how many runs,
 * and the wall time to the first failing run (before shrinking).
 */
import { mutants } from '../../fixtures/mutants/index.js';
import { check, DEFAULT_RUNS } from '../runner/check.js';
import { runBaseline } from './baseline.js';
import { median } from './stats.js';

interface Found {
  readonly runs: number;
  readonly ms: number;
}

export async function benchMutants(seeds: number): Promise<void> {
  console.log(`mutants through both: ${DEFAULT_RUNS} runs, seeds 1..${seeds}; medians of the seeds that caught it, the worst in brackets`);
  const header = ['mutant', 'poolcheck', 'runs', 'to failure', 'baseline', 'runs', 'to failure'];
  const rows: string[][] = [header];
  const caughtBy = { poolcheck: 0, baseline: 0 };
  for (const mutant of mutants) {
    const ours: Found[] = [];
    const theirs: Found[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const started = performance.now();
      let firstMs = Number.NaN;
      const r = await check({
        adapter: mutant.adapter,
        numRuns: DEFAULT_RUNS,
        seed,
        onProgress: (p) => {
          if (p.failed && Number.isNaN(firstMs)) firstMs = performance.now() - started;
        },
      });
      if (r.failure !== null) ours.push({ runs: r.runs, ms: firstMs });
      const b = await runBaseline({ adapter: mutant.adapter, numRuns: DEFAULT_RUNS, seed });
      if (b.failed) theirs.push({ runs: b.runs, ms: b.firstFailureMs });
    }
    if (ours.length === seeds) caughtBy.poolcheck++;
    if (theirs.length === seeds) caughtBy.baseline++;
    rows.push([mutant.file.replace(/\.ts$/, ''), `${ours.length}/${seeds}`, ...cells(ours), `${theirs.length}/${seeds}`, ...cells(theirs)]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [i, r] of rows.entries()) {
    console.log(`  ${r.map((c, j) => c.padEnd(widths[j]!)).join('  ').trimEnd()}`);
    if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
  console.log(`  caught on every seed     poolcheck ${caughtBy.poolcheck} of ${mutants.length}, baseline ${caughtBy.baseline} of ${mutants.length}`);
}

function cells(found: readonly Found[]): [string, string] {
  if (found.length === 0) return ['-', '-'];
  const runs = found.map((f) => f.runs);
  const ms = found.map((f) => f.ms);
  return [`${median(runs)} [${Math.max(...runs)}]`, `${Math.round(median(ms))} ms [${Math.round(Math.max(...ms))} ms]`];
}
