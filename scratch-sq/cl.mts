import * as tarn from 'tarn';
import genericPool from 'generic-pool';
import { tarnAdapter } from '../src/adapters/tarn.js';
import { genericPoolAdapter } from '../src/adapters/generic-pool.js';
import { adapter as mutant } from '../fixtures/mutants/close-skips-pending-creates.js';
import { commandFromJson } from '../src/commands/from-json.js';
import { createPgMemConnector } from '../src/connectors/pgmem.js';
import { runOnce } from '../src/runner/run-once.js';
import { check } from '../src/runner/check.js';
const steps = (json: object[]) => json.map((j) => commandFromJson(j) as any);
for (const ad of [tarnAdapter({ Pool: tarn.Pool }), genericPoolAdapter({ genericPool })]) {
  const run = await runOnce(ad as any, { minSize: 0, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 500 }, steps(ad.name === 'tarn' ? [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }] : [{ op: 'slowNextConnect', ms: 1000 }, { op: 'acquire' }, { op: 'sleep', ms: 500 }, { op: 'close' }]), createPgMemConnector, true, true);
  console.log(ad.name, run.violation?.message ?? 'ok');
  for (const s of run.trace) console.log(`  ${s.at} ${s.command} | ${s.predicted} | ${s.observed}`);
}
for (const seed of [1, 2, 3, 4, 5]) {
  const r = await check({ adapter: mutant as any, seed });
  console.log('mutant', seed, r.passed, r.runs, r.failure?.violation.kind, r.failure?.length, r.failure?.violation.message);
}
