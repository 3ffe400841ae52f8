import { afterEach, describe, expect, it } from 'vitest';
import { adapter as acquireRefillAfterCheck } from '../fixtures/mutants/acquire-refill-after-check.js';
import { ownPoolAdapter, ownPoolSemantics, type OwnAdapterOptions } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught, expectCaughtAmong } from './support/caught.js';
import { variantsPass } from './support/async-check-variants.js';

afterEach(() => uninstallAllClocks());

/*
 * A min refilled at each acquire (`minRefill: ['at-acquire']`) with an async check, in a pool
 * whose connects serve their own acquire: the acquire takes its capacity as its check begins, as
 * it does as its slow connect begins, and the refill is decided then, once (the own pool's
 * `acquireTook`, run as `checkout` starts the check; its refill once the synchronous stretch is
 * over). The connection under check counts as open, not idle; whatever the check answers, and
 * whatever the acquire tries after a failed one, sets off nothing more.
 */
const variants: Record<string, OwnAdapterOptions> = {
  'no floor': { validation: 'async', minRefill: ['at-acquire'] },
  'a floor on size': { validation: 'async', minRefill: ['at-acquire'], expiryRespectsMinSize: true },
  'a floor on idle connections': { validation: 'async', minRefill: ['at-acquire'], expiryRespectsMinSize: true, minFloorCounts: 'idle' },
};

describe('a refill at each acquire with an async check', () => {
  variantsPass(variants);

  it('the refill comes as the check begins: a slow check leaves the pool at min meanwhile', async () => {
    // min 2 idle: the acquire takes #1 or #2 into a 5 ms check; the pool opens #3 at once.
    const adapter = ownPoolAdapter(variants['a floor on idle connections']!);
    const outcome = await replay(adapter, { minSize: 2, maxSize: 3, lifetimeMs: 1000 }, [{ op: 'slowNextQuery', ms: 5 }, { op: 'acquire' }]);
    expect(outcome.violation?.message ?? null).toBeNull();
    const acquire = outcome.trace.find((step) => step.command === 'acquire()');
    expect(acquire?.actual).toEqual({ idle: 2, size: 3, waiting: 0 });
  });

  // Shrunk traces that fuzz campaigns found while the model had them wrong: a refill's slow
  // connect lands idle before an expiry whose floor counts it, and a failed check's retry takes it
  // later in the step; until the retry, it was idle.
  it.each([
    ['a landing before an expiry, taken by the retry after a check that fails at the wake', { minSize: 1, maxSize: 3, lifetimeMs: 6 }, [{ op: 'slowNextQuery', ms: 7 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'release', connection: 2 }, { op: 'blockingSleep', ms: 7, acquireOnWake: false, phase: 'timers' }], 'a floor on idle connections'],
    ['a landing before expiries due at its instant, taken by the retry a step later', { minSize: 3, maxSize: 5, lifetimeMs: 1 }, [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 2 }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 2 }, { op: 'sleep', ms: 2 }], 'a floor on idle connections'],
    // A failed check's retry at a wake: an idle floor kept an expiry due before the check, counting
    // what was idle then, not the refill's connect still in flight; the retry takes that one.
    ['an expiry kept by the idle floor before the check fails, a refill connect in flight', { minSize: 3, maxSize: 5, lifetimeMs: 2 }, [{ op: 'sleep', ms: 2 }, { op: 'acquire' }, { op: 'failNextValidation' }, { op: 'release', connection: 1 }, { op: 'slowNextQuery', ms: 3 }, { op: 'slowNextConnect', ms: 3 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 4 }, { op: 'sleep', ms: 3 }], 'a floor on idle connections'],
    ['the same with the refill connect landing at the check\'s wake', { minSize: 1, maxSize: 3, lifetimeMs: 6 }, [{ op: 'slowNextQuery', ms: 7 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'slowNextConnect', ms: 7 }, { op: 'acquire' }, { op: 'release', connection: 2 }, { op: 'blockingSleep', ms: 7, acquireOnWake: false, phase: 'timers' }], 'a floor on idle connections'],
    // A waiter handed the connection of an acquire aborted during its check takes its slot as the
    // check's reply is handled, before a failing refill connect's timer at that instant: the
    // refill at that acquire counted the connect in flight.
    ['a waiter handed an aborted check\'s connection before a failing refill connect, at one instant', { minSize: 1, maxSize: 2, lifetimeMs: 1 }, [{ op: 'failNextConnect' }, { op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, { op: 'abort', acquire: 1 }, { op: 'acquire' }, { op: 'sleep', ms: 1 }], 'a floor on idle connections'],
  ] as const)('%s replays clean', async (_name, config, steps, variant = 'a floor on idle connections') => {
    const outcome = await replay(ownPoolAdapter(variants[variant]!), config, steps);
    expect(outcome.violation?.message ?? null).toBeNull();
  });

  it('a pool whose refill waits for the check is caught on seeds 1-5, shrunk short', async () => {
    // Below min while a slow check is in flight; or its late refill opens what the acquire's own
    // would not have (a check that failed meanwhile freed capacity that was full when the acquire
    // took its connection); or it takes the connect fault the model gave the next acquire.
    for (const seed of [1, 2, 3, 4, 5]) {
      const failure = expectCaughtAmong(await check({ adapter: acquireRefillAfterCheck, seed, shrink: seed === 1 }), ['min-not-refilled', 'unexpected-create', 'waiter-not-served', 'acquire-not-rejected']);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(4);
    }
  });

  it('declared without the refill, the own pool fails: it opens what no acquire asked for', async () => {
    const declared = ownPoolSemantics({ ...variants['a floor on idle connections']!, minRefill: [] });
    const adapter = ownPoolAdapter({ ...variants['a floor on idle connections']!, semantics: declared });
    expectCaught(await check({ adapter, seed: 1 }), 'unexpected-create', /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for/);
  });
});
