import genericPool from 'generic-pool';
import { Pool as SPool } from 'sequelize-pool';
import { genericPoolAdapter, genericPoolSemantics } from '../src/adapters/generic-pool.js';
import { sequelizePoolAdapter, sequelizePoolSemantics } from '../src/adapters/sequelize-pool.js';
import { check } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';
const gs = genericPoolSemantics(); const ss = sequelizePoolSemantics();
const cases: [string, any][] = [
  ['sq shortfall', sequelizePoolAdapter({ Pool: SPool, semantics: { ...ss, capabilities: { ...ss.capabilities, queueConnects: undefined } } } as any)],
  ['gp one-per-dispense', genericPoolAdapter({ genericPool, semantics: { ...gs, capabilities: { ...gs.capabilities, queueConnects: 'one-per-dispense' } } } as any)],
  ['gp its-acquire', genericPoolAdapter({ genericPool, semantics: { ...gs, capabilities: { ...gs.capabilities, connectServes: undefined } } } as any)],
];
for (const [name, adapter] of cases) for (const seed of [2026, 1, 2]) {
  const r = await check({ adapter, seed, shrink: true });
  console.log(name, seed, r.passed, r.runs, r.passed ? '' : formatResult(r).split('\n').slice(0, 30).join('\n'));
}
