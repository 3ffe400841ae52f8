import genericPool from 'generic-pool';
import * as sequelizePool from 'sequelize-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as dispenseCountsInFlight } from '../fixtures/mutants/dispense-counts-in-flight.js';
import { adapter as refillSkipsQueue } from '../fixtures/mutants/refill-skips-queue.js';
import { genericPoolAdapter, genericPoolSemantics } from '../src/adapters/generic-pool.js';
import { sequelizePoolAdapter, sequelizePoolSemantics } from '../src/adapters/sequelize-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { Semantics } from '../src/model/semantics.js';
import type { ViolationKind } from '../src/model/violation.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { DefinitionError } from '../src/runner/violation-error.js';
import { validateCheckOptions } from '../src/runner/validate.js';
import { expectCaught, expectCaughtAmong } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * Connects that serve the head of the queue, with a min refill beside them (generic-pool,
 * sequelize-pool): a discard's refill connects start first and serve the queue as they land, and
 * `queueConnects` says how many connects each look at the queue starts.
 */

const SEEDS = [1, 2, 3, 4, 5];
// The longest counterexample either broken pool shrinks to on these seeds.
const SHORT = 7;

describe('broken pools whose connects serve the queue head', () => {
  it.each<[string, PoolAdapter, readonly ViolationKind[]]>([
    ["refill-skips-queue.ts: a refill's connection lands idle beside a waiter", refillSkipsQueue as PoolAdapter, ['waiter-not-served']],
    ['dispense-counts-in-flight.ts: fewer connects than one per dispense', dispenseCountsInFlight as PoolAdapter, ['not-settled', 'waiter-not-served']],
  ])('%s is caught on seeds 1-5, shrunk short', async (_name, adapter, kinds) => {
    for (const seed of SEEDS) {
      const result = await check({ adapter, seed });
      expect(expectCaughtAmong(result, kinds).length, formatResult(result)).toBeLessThanOrEqual(SHORT);
    }
  });
});

describe('queueConnects declared wrongly', () => {
  const gp = genericPoolSemantics();
  const sq = sequelizePoolSemantics(1000);
  const withCaps = (s: Semantics, caps: Partial<NonNullable<Semantics['capabilities']>>): Semantics => ({ ...s, capabilities: { ...s.capabilities!, ...caps } });
  // terminateDuringConnect 'lands-idle' speaks of connects that serve the queue head: it goes.
  const itsAcquire = (s: Semantics): Semantics => {
    const { terminateDuringConnect: _terminate, ...caps } = s.capabilities!;
    return { ...s, capabilities: caps };
  };
  it.each<[string, PoolAdapter, string, RegExp, ...(readonly [ViolationKind, RegExp])[]]>([
    // An acquire behind a connect whose own acquire timed out starts a create of its own.
    ['sequelize-pool as starting connects for the shortfall only', sequelizePoolAdapter({ Pool: sequelizePool.Pool, semantics: withCaps(sq, { queueConnects: 'shortfall' }) }) as PoolAdapter, 'waiter-answered-early', /^acquire #\d+ should still be waiting \(1 waiting, no capacity free, its timeout is at \d+ ms\), but it got connection #\d+$/],
    // generic-pool counts the creates in flight against the queue.
    // The acquires behind a connect wait in the queue, counted in `waiting`.
    ['generic-pool with connects serving their own acquire', genericPoolAdapter({ genericPool, semantics: withCaps(itsAcquire(gp), { connectServes: 'its-acquire', closeDuringConnect: 'serves' }) }) as PoolAdapter, 'count-mismatch', /^the pool reported idle=\d+ size=\d+ waiting=\d+, the model expected idle=\d+ size=\d+ waiting=\d+$/],
    // The acquire the model has served by a connect the pool never starts: waiting, or never settled.
    ['generic-pool as starting one connect per dispense', genericPoolAdapter({ genericPool, semantics: withCaps(gp, { queueConnects: 'one-per-dispense' }) }) as PoolAdapter, 'waiter-not-served', /^acquire #\d+ should have been served \(#\d+ gets a new connection\) but is still waiting$/, ['not-settled', /^(\d+ acquires|acquire\(\)) did not settle: nothing is due at \d+ ms and the operation is still pending; the declared semantics answer (it|them) now: #\d+ .+$/]],
  ])('%s fails', async (_name, adapter, kind, message, ...alternatives) => {
    const result = await check({ adapter, seed: 1, shrink: false });
    expectCaught(result, kind as never, message, ...alternatives);
  });

  it('a value other than the two, or one-per-dispense without queue-head connects, is a definition error naming the fix', () => {
    const declaring = (semantics: Semantics) => (): void => validateCheckOptions({ adapter: genericPoolAdapter({ genericPool, semantics }) as PoolAdapter });
    expect(declaring(withCaps(gp, { queueConnects: 'two' as never }))).toThrow(DefinitionError);
    expect(declaring(withCaps(gp, { queueConnects: 'two' as never }))).toThrow(/it must be "shortfall".*"one-per-dispense"/);
    expect(declaring(withCaps(gp, { connectServes: 'its-acquire', queueConnects: 'one-per-dispense' }))).toThrow(/queueConnects "one-per-dispense" needs connectServes: "queue-head"/);
  });
});
