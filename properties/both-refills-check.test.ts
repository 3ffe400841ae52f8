import { afterEach, describe, expect, it } from 'vitest';
import { adapter as checkRefillCountedOnce } from '../fixtures/mutants/check-refill-counted-once.js';
import { ownPoolAdapter, ownPoolSemantics, type OwnAdapterOptions } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';
import { variantsPass } from './support/async-check-variants.js';

afterEach(() => uninstallAllClocks());

/*
 * A min refilled at each acquire and after a discard (`minRefill: ['at-acquire', 'after-discard']`)
 * with an async check, in a pool whose connects serve their own acquire: the refill at an acquire
 * is decided as the acquire takes its capacity (as its check begins, or as a timer hands it a
 * connection), the one after a failed check as the check answers, each counting what is in flight
 * then (the own pool's `acquireTook` and `ready`, each refill once the synchronous stretch is over).
 */
const variants: Record<string, OwnAdapterOptions> = {
  'no floor': { validation: 'async', minRefill: ['at-acquire', 'after-discard'] },
  'a floor on size': { validation: 'async', minRefill: ['at-acquire', 'after-discard'], expiryRespectsMinSize: true },
  'a floor on idle connections': { validation: 'async', minRefill: ['at-acquire', 'after-discard'], expiryRespectsMinSize: true, minFloorCounts: 'idle' },
};

describe('refills at each acquire and after a discard, with an async check', () => {
  variantsPass(variants);

  // Shrunk traces that fuzz campaigns (3000 runs) found while the model had them wrong.
  it.each([
    // A refill's slow connect lands for a waiter at 1 ms: the waiter's acquire refills then,
    // counting the refill connect that fails at 2 ms in flight, not when the step ends.
    ['a waiter handed a refill\'s connection refills as it lands, a failing refill connect in flight', { minSize: 3, maxSize: 3, lifetimeMs: 0 }, [{ op: 'acquire' }, { op: 'failNextConnect' }, { op: 'slowNextConnect', ms: 2 }, { op: 'destroy', connection: 1 }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'destroy', connection: 2 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }], Object.keys(variants)],
    // The check of an aborted acquire fails at 1 ms, before the acquire's refill connect lands
    // at that instant: the refill after the failure counts that connect in flight and opens none.
    ['a failed check\'s refill counts a refill connect landing after it at one instant', { minSize: 1, maxSize: 2, lifetimeMs: 0 }, [{ op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'abort', acquire: 1 }, { op: 'slowNextConnect', ms: 1 }, { op: 'sleep', ms: 1 }], ['a floor on idle connections']],
  ] as const)('%s replays clean', async (_name, config, steps, floors) => {
    for (const floor of floors) {
      const outcome = await replay(ownPoolAdapter(variants[floor]!), config, steps);
      expect(outcome.violation?.message ?? null).toBeNull();
    }
  });

  it('a pool whose failed check counts its acquire\'s refill is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const failure = expectCaught(await check({ adapter: checkRefillCountedOnce, seed, shrink: seed === 1 }), 'min-not-refilled', /^after connection #\d+ failed its validation at \d+ ms the pool had \d+ connection\(s\) open, below its min of \d+/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(3);
    }
  });

  it.each([
    [['at-acquire'], /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for/],
    [['after-discard'], /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for/],
  ] as const)('declared with minRefill %j only, the own pool fails: it opens what the other refill calls for', async (refill, message) => {
    const declared = ownPoolSemantics({ ...variants['no floor']!, minRefill: refill });
    const adapter = ownPoolAdapter({ ...variants['no floor']!, semantics: declared });
    expectCaught(await check({ adapter, seed: 1 }), 'unexpected-create', message);
  });
});
