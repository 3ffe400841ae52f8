import genericPool from 'generic-pool';
import { Pool as SPool } from 'sequelize-pool';
import { genericPoolAdapter, genericPoolSemantics } from '../src/adapters/generic-pool.js';
import { sequelizePoolAdapter, sequelizePoolSemantics } from '../src/adapters/sequelize-pool.js';
import { check } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';
const which = process.argv[2] ?? 'gp';
const seeds = (process.argv[3] ?? '1,2,3,4,5').split(',').map(Number);
const runs = Number(process.argv[4] ?? 200);
for (const seed of seeds) {
  const adapter = which === 'gp' ? genericPoolAdapter({ genericPool }) : sequelizePoolAdapter({ Pool: SPool } as any);
  const t = Date.now();
  const r = await check({ adapter: adapter as any, seed, runs });
  console.log(which, seed, r.passed, r.runs, Date.now() - t, 'ms');
  if (!r.passed) console.log(formatResult(r));
}
