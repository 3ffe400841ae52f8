import { afterEach, describe, expect, it } from 'vitest';
import { IdleFloorCountsInUsePool } from '../fixtures/mutants/idle-floor-counts-in-use.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { asyncpgSemantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A synchronous validation together with an idle floor: the check answers inside acquire(), so no
 * connection is under check when the floor decides, and a connection that fails it is closed as
 * a discarded one is, which the floor does not keep (it keeps only what comes due by expiry).
 */
describe('a sync validation with a min floor on idle connections', () => {
  const options = { expiryRespectsMinSize: true, minFloorCounts: 'idle', validation: 'sync' } as const;

  it('the own pool with both passes, declared so', async () => {
    const adapter = ownPoolAdapter(options);
    expect(adapter.semantics).toMatchObject({ minFloor: 'idle', validation: 'sync', capabilities: { failedValidation: true } });
    for (const seed of [1, 2]) {
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    }
  });

  it('an idle floor that counts connections in use is caught on seeds 1-5, shrunk short', async () => {
    const adapter = ownPoolAdapter({ ...options, name: 'mutant: idle floor counts in-use connections, sync validation', makePool: (o) => new IdleFloorCountsInUsePool(o) });
    for (const seed of [1, 2, 3, 4, 5]) {
      const failure = expectCaught(await check({ adapter, seed, shrink: seed === 1 }), 'floor-broken', /expired at \d+ ms although only \d+ connection\(s\) were idle and the declared min floor is \d+/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(6);
    }
  });

  it('declared as a floor on size, it fails: the pool keeps what a size floor would let go', async () => {
    const { min: _min, ...rest } = asyncpgSemantics;
    const adapter = ownPoolAdapter({ ...options, semantics: { ...rest, minFloor: 'size', minRefill: [], validation: 'sync', capabilities: { ...asyncpgSemantics.capabilities, failedValidation: true } } });
    expectCaught(await check({ adapter, seed: 1 }), 'outlived');
  });
});

/*
 * An async validation together with an idle floor: a connection under check is not idle, so the
 * floor does not count it while the check is in flight; one whose acquire was aborted goes back
 * to idle as its check passes, which, at a blocked loop's wake, comes after every overdue expiry.
 */
describe('an async validation with a min floor on idle connections', () => {
  const options = { expiryRespectsMinSize: true, minFloorCounts: 'idle', validation: 'async' } as const;

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`the own pool with both passes on seed ${seed}, declared so`, async () => {
      const adapter = ownPoolAdapter(options);
      expect(adapter.semantics).toMatchObject({ minFloor: 'idle', validation: 'async', capabilities: { failedValidation: true, slowQuery: true } });
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    });
  }

  it('an idle floor that counts connections in use is caught on seeds 1-5, shrunk short', async () => {
    const adapter = ownPoolAdapter({ ...options, name: 'mutant: idle floor counts in-use connections, async validation', makePool: (o) => new IdleFloorCountsInUsePool(o) });
    for (const seed of [1, 2, 3, 4, 5]) {
      const failure = expectCaught(await check({ adapter, seed, shrink: seed === 1 }), 'floor-broken', /expired at \d+ ms although only \d+ connection\(s\) were idle and the declared min floor is \d+/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(6);
    }
  });

  it('declared as a floor on size, it fails: the pool keeps what a size floor would let go', async () => {
    const { min: _min, ...rest } = asyncpgSemantics;
    const adapter = ownPoolAdapter({ ...options, semantics: { ...rest, minFloor: 'size', minRefill: [], validation: 'async', capabilities: { ...asyncpgSemantics.capabilities, failedValidation: true, slowQuery: true } } });
    expectCaught(await check({ adapter, seed: 1 }), 'outlived');
  });
});
