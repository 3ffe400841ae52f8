import * as tarn from 'tarn';
import { tarnAdapter } from '../src/adapters/tarn.js';
import { check } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';
for (const seed of (process.argv[2] ?? '1,2,3,4,5').split(',').map(Number)) {
  const r = await check({ adapter: tarnAdapter({ Pool: tarn.Pool }) as any, seed });
  console.log(seed, r.passed, r.runs);
  if (!r.passed) console.log(formatResult(r).split('\n').slice(0, 50).join('\n'));
}
