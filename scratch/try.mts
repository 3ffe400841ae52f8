import { ownPoolAdapter } from '/work/wt-i10-cmds/src/adapters/own.js';
import { check } from '/work/wt-i10-cmds/src/runner/check.js';
import { formatResult } from '/work/wt-i10-cmds/src/report/text.js';
const variants = [ownPoolAdapter(), ownPoolAdapter({ validation: 'sync' }), ownPoolAdapter({ validation: 'async' }), ownPoolAdapter({ validation: 'async', closeAbortedConnects: true })];
for (const adapter of variants) for (const seed of (process.env.SEEDS ?? "1,2,3").split(",").map(Number)) {
  const r = await check({ adapter, seed, numRuns: Number(process.env.RUNS ?? 100) });
  console.log(r.passed ? `${adapter.name} seed ${seed}: pass ${r.commands} cmds ${r.wallMs.toFixed(0)} ms` : formatResult(r));
}
