import { afterEach, describe, expect, it } from 'vitest';
import { IdleFloorCountsInUsePool } from '../fixtures/mutants/idle-floor-counts-in-use.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { asyncpgSemantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
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

/*
 * An async validation with a min refilled after a discard: a refill's slow connect lands idle
 * while a connection is under check for an acquire that was aborted; the check passes later and
 * puts its connection on top of the free stack, above the refill's. The next acquire reuses the
 * one the check sent back (LIFO), however late the connector's log names the refill's connection.
 */
describe('an async validation with a min refilled after a discard', () => {
  it('a connection back from an aborted check ranks above a refill that landed before it', async () => {
    const adapter = ownPoolAdapter({ minRefill: ['after-discard'], validation: 'async' });
    const steps = [
      { op: 'slowNextQuery', ms: 2 },
      { op: 'failNextConnect' },
      { op: 'burst', count: 3 },
      { op: 'slowNextConnect', ms: 1 },
      { op: 'abort', acquire: 1 },
      { op: 'destroy', connection: 2 },
      { op: 'sleep', ms: 2 },
      { op: 'acquire' },
    ];
    const outcome = await replay(adapter, { minSize: 2, maxSize: 3, lifetimeMs: 0 }, steps);
    expect(outcome.violation).toBeNull();
    // The refill's connection (#3) landed at 1 ms, the checked one (#1) came back at 2 ms.
    expect(outcome.trace.find((step) => step.command === 'acquire()')?.observed).toMatch(/#4 got #1;/);
  });

  it('an acquire whose check fails takes a refill\'s connection that landed on top meanwhile', async () => {
    const adapter = ownPoolAdapter({ minRefill: ['after-discard'], validation: 'async' });
    // The broken #1 is refilled by a connect landing at 1 ms; #2's check fails at 1 ms, after it.
    const steps = [
      { op: 'slowNextConnect', ms: 1 },
      { op: 'breakIdle', connection: 1 },
      { op: 'slowNextQuery', ms: 1 },
      { op: 'failNextValidation' },
      { op: 'acquire' },
      { op: 'sleep', ms: 1 },
    ];
    const outcome = await replay(adapter, { minSize: 3, maxSize: 3, lifetimeMs: 2 }, steps);
    // Without it, the model wanted #3 (the next idle one it had named) and failed the pool.
    expect(outcome.violation).toBeNull();
  });

  it('a refill connect that lands at once ranks below a slow one that lands later in the step', async () => {
    const adapter = ownPoolAdapter({ expiryRespectsMinSize: true, minRefill: ['after-discard'], validation: 'async' });
    // The broken #2's refill lands at 2 ms (#5); the failed check's at once, at 1 ms (#4): #5 is on top.
    const steps = [
      { op: 'slowNextQuery', ms: 1 },
      { op: 'slowNextConnect', ms: 2 },
      { op: 'failNextValidation' },
      { op: 'acquire' },
      { op: 'breakIdle', connection: 2 },
      { op: 'sleep', ms: 2 },
      { op: 'acquire' },
    ];
    const outcome = await replay(adapter, { minSize: 3, maxSize: 3, lifetimeMs: 1 }, steps);
    expect(outcome.violation).toBeNull();
    expect(outcome.trace.find((step) => step.command === 'acquire()' && step.at === 2)?.observed).toMatch(/#2 got #5;/);
  });
});
