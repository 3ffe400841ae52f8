// npx tsx scripts/infer-timing.mts: how long infer takes on each built-in adapter, beside check().
// Side by side in one process: for each adapter, the probes alone, then infer with its confirming
// check (200 runs, seed 1), then check() alone with the same runs and seed.
import { BUILT_IN_ADAPTERS } from '../src/adapters/registry.js';
import { infer } from '../src/infer/infer.js';
import { check } from '../src/runner/check.js';
for (const [name, make] of Object.entries(BUILT_IN_ADAPTERS)) {
  const a = await make();
  let t = performance.now();
  await infer({ adapter: { ...a, semantics: undefined }, confirm: false });
  const probes = performance.now() - t;
  t = performance.now();
  const r = await infer({ adapter: { ...a, semantics: undefined } });
  const full = performance.now() - t;
  t = performance.now();
  await check({ adapter: a, numRuns: 200, seed: 1 });
  const chk = performance.now() - t;
  console.log(`${name.padEnd(15)} probes ${probes.toFixed(0).padStart(5)} ms  infer+confirm ${full.toFixed(0).padStart(5)} ms  check(200) alone ${chk.toFixed(0).padStart(5)} ms  probes/check ${(probes / chk).toFixed(2)}  confirmed ${r.confirmation?.passed}`);
}
