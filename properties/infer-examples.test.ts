import { afterEach, describe, expect, it } from 'vitest';
import { loadAdapterModule } from '../src/adapters/load.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { differences } from '../src/infer/compare.js';
import { infer } from '../src/infer/infer.js';
import { myPoolAdapter } from '../docs/examples/quickstart/my-pool.poolcheck.js';
import { adapter as hangingAcquire } from '../fixtures/pools/hanging-acquire.js';

afterEach(() => uninstallAllClocks());

describe('infer on the user-adapter examples', () => {
  /*
   * Both examples declare two capabilities: failedConnect (their pools reject an acquire whose
   * connect fails and free its slot, a connection counted only once it is open) and brokenIdle
   * 'unnoticed' (nothing listens to an idle connection). infer finds
   * exactly their declarations, and the confirming check holds them to it.
   */
  it('finds the tiny pool\'s declaration, field for field', async () => {
    const declared = await loadAdapterModule('fixtures/user-adapter/tiny-pool-adapter.mjs');
    const undeclared = await loadAdapterModule('fixtures/user-adapter/tiny-pool-undeclared.mjs', 'optional');
    expect(undeclared.semantics).toBeUndefined();
    const result = await infer({ adapter: undeclared, confirm: { numRuns: 50 } });
    expect(result.contradictions).toEqual([]);
    expect(differences(declared.semantics, result.semantics)).toEqual([]);
    expect(result.confirmation?.passed).toBe(true);
  });

  it('finds the quickstart pool\'s declaration, field for field', async () => {
    const result = await infer({ adapter: { ...(myPoolAdapter as PoolAdapter), semantics: undefined }, confirm: { numRuns: 50 } });
    expect(result.contradictions).toEqual([]);
    expect(differences(myPoolAdapter.semantics, result.semantics)).toEqual([]);
    expect(result.confirmation?.passed).toBe(true);
  });

  it('names the contradiction for a pool whose acquires hang, and does not confirm a declaration for it', async () => {
    const result = await infer({ adapter: hangingAcquire });
    expect(result.contradictions.length).toBeGreaterThan(0);
    expect(result.contradictions.map((c) => c.observation).join('\n')).toMatch(/did not settle/);
    expect(result.confirmation).toBeNull();
  });
});
