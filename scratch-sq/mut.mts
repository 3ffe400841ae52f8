import { adapter as a } from '../fixtures/mutants/refill-skips-queue.js';
import { adapter as b } from '../fixtures/mutants/dispense-counts-in-flight.js';
import { check } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';
for (const [n, ad] of [['refill-skips', a], ['dispense', b]] as const) for (const seed of [1, 2, 3, 4, 5]) {
  const r = await check({ adapter: ad as any, seed });
  console.log(n, seed, r.passed, r.runs, r.failure?.violation.kind, r.failure?.length);
  if (seed === 1 && !r.passed) console.log(formatResult(r).split('\n').slice(0, 28).join('\n'));
}
