import { adapter } from '../fixtures/pools/generic-pool-reaper-refill.js';
import { check } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';
for (const seed of (process.argv[2] ?? '1,2,3,4,5').split(',').map(Number)) {
  const r = await check({ adapter: adapter as any, seed });
  console.log(seed, r.passed, r.runs);
  if (!r.passed) console.log(formatResult(r).split('\n').slice(0, 40).join('\n'));
}
