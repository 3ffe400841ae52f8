import { ownPoolAdapter } from '../adapters/own.js';
import { check } from '../runner/check.js';
import { formatResult } from '../report/text.js';

const runs = Number(process.argv[2] ?? 500);
const r = await check({ adapter: ownPoolAdapter(), seed: Number(process.argv[3] ?? 42), numRuns: runs });
console.log(formatResult(r));
console.log(Math.round(r.commands / (r.wallMs / 1000)), 'cmd/s');
