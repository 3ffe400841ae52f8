import { ownMinAdapters } from '../fixtures/pools/own-min.js';
import { check } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';
const seeds = (process.argv[2] ?? '1,2,3,4,5').split(',').map(Number);
for (const [name, adapter] of Object.entries(ownMinAdapters)) for (const seed of seeds) {
  const r = await check({ adapter, seed });
  console.log(name, seed, r.passed, r.runs);
  if (!r.passed) console.log(formatResult(r).split('\n').slice(0, 40).join('\n'));
}
