import { afterEach, describe, expect, it } from 'vitest';
import { adapter as checkNotBounded } from '../fixtures/mutants/check-not-bounded.js';
import { adapter as timedOutCheckLeaks } from '../fixtures/mutants/timed-out-check-leaks.js';
import { ownPoolAdapter, ownPoolSemantics, type OwnAdapterOptions } from '../src/adapters/own.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { differences } from '../src/infer/compare.js';
import { infer } from '../src/infer/infer.js';
import type { ViolationKind } from '../src/model/violation.js';
import { formatResult } from '../src/report/text.js';
import { check, runsFromEnv } from '../src/runner/check.js';
import { checkRaces, formatRaceResult } from '../src/races/index.js';
import { expectCaught } from './support/caught.js';
import { claiming } from './support/wrong-declarations.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * One acquire deadline over the wait, the connect and an asynchronous check in between
 * (`acquireTimeoutCovers: 'wait-and-connect'` with `slowQuery`): a check still in flight at the
 * deadline rejects its acquire, and its connection goes on as `lateCheck` says (kept: to the next
 * waiter or idle once it passes; closed: at the deadline); a connect after a failed check is
 * bounded by the same deadline. The own pool's `acquireTimeoutCoversConnect` with `validate` does
 * it, with `closeTimedOutChecks` for `'closed'`.
 */

const SEEDS = [1, 2, 3, 4, 5];

const variants: readonly [string, OwnAdapterOptions, 'kept' | 'closed'][] = [
  ['the check kept', {}, 'kept'],
  ['the check closed', { closeTimedOutChecks: true }, 'closed'],
  ['the check kept, polled every 25 ms', { acquireTimeoutPollMs: 25 }, 'kept'],
  ['the check closed, hand-offs checked too', { closeTimedOutChecks: true, validateHandoffs: true }, 'closed'],
];

describe('a deadline over the wait, the connect and a slow check', () => {
  for (const [name, options, lateCheck] of variants) {
    it.each(PASS_SEEDS)(`the own pool with ${name}, declared so, passes with seed %i`, async (seed) => {
      const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, ...options });
      expect(adapter.semantics.capabilities).toMatchObject({ acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'closed', slowQuery: true, lateCheck });
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    });
  }
});

describe('a broken pool is caught on seeds 1-5, shrunk to a short trace', () => {
  it.each<[string, PoolAdapter, ViolationKind, RegExp, readonly (readonly [ViolationKind, RegExp])[]]>([
    ['a deadline that does not bound the check', checkNotBounded, 'served-after-timeout', /^acquire #\d+ should have been rejected \(timed out\) but got connection #\d+$/, [['timeout-missed', /^acquire #\d+ should have been rejected \(timed out\) but is still pending$/]]],
    ['a connection closed under check, leaked', timedOutCheckLeaks, 'abandoned-kept', /^connection #\d+ was under check for an acquire whose deadline came at \d+ ms, and was still open at \d+ ms; the declared lateCheck closes it at the deadline/, [['leaked-connection', /./]]],
  ])('%s', async (_bug, adapter, kind, message, alternatives) => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed }), kind, message, ...alternatives);
      expect(failure.length, `seed ${seed}`).toBeLessThanOrEqual(5);
    }
  });
});

describe('a wrong declaration fails with an explanation', () => {
  const kept = ownPoolSemantics({ validation: 'async', acquireTimeoutCoversConnect: true });
  const closed = ownPoolSemantics({ validation: 'async', acquireTimeoutCoversConnect: true, closeTimedOutChecks: true });

  it('lateCheck "closed" for a pool that keeps the check going: the connection is still open after the deadline', async () => {
    const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, semantics: claiming(kept, { lateCheck: 'closed' }) });
    expectCaught(await check({ adapter, seed: 1 }), 'abandoned-kept', /^connection #\d+ was under check for an acquire whose deadline came at \d+ ms, and was still open at \d+ ms; the declared lateCheck closes it at the deadline/);
  });

  it('lateCheck "kept" for a pool that closes it: the connection is closed while the model still has it under check', async () => {
    const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, closeTimedOutChecks: true, semantics: claiming(closed, { lateCheck: 'kept' }) });
    expectCaught(await check({ adapter, seed: 1 }), 'expired-early', /^connection #\d+, idle since \d+ ms, was destroyed \d+ ms early: at \d+ ms, not before \d+ ms/);
  });

  it('acquireTimeoutCovers "wait" for a pool whose deadline bounds the check: the acquire is rejected where the model waits for its check', async () => {
    const { lateConnect: _late, lateCheck: _check, ...waitOnly } = kept.capabilities ?? {};
    const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, semantics: { ...kept, capabilities: { ...waitOnly, acquireTimeoutCovers: 'wait' } } });
    expectCaught(await check({ adapter, seed: 1 }), 'waiter-not-served', /^acquire #\d+ should have been served .* but was rejected: PoolTimeoutError: poolcheck pool: acquire\(\) timed out after \d+ ms while its connection was/);
  });
});

describe('poolcheck infer finds lateCheck', () => {
  it.each([[{}, 'kept'], [{ closeTimedOutChecks: true }, 'closed']] as const)('the own pool with %o: %s', async (options, lateCheck) => {
    const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, ...options });
    const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: false });
    expect(result.contradictions).toEqual([]);
    expect(result.findings.find((f) => f.field === 'capabilities.lateCheck')).toMatchObject({ value: lateCheck });
    expect(differences(adapter.semantics, result.semantics)).toEqual([]);
  });
});

describe('races draw slow checks under a deadline over them', () => {
  const runs = Math.ceil(runsFromEnv() / 2);

  it.each([[{}, 'kept'], [{ closeTimedOutChecks: true }, 'closed']] as const)('the own pool with %o (lateCheck %s) passes with seeds 1-3', async (options, _lateCheck) => {
    for (const seed of [1, 2, 3]) {
      const result = await checkRaces({ adapter: ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, ...options }), seed, numRuns: runs });
      expect(result.passed, formatRaceResult(result)).toBe(true);
    }
  });

  it('a connection closed under check, leaked, is caught with seeds 1-3', async () => {
    for (const seed of [1, 2, 3]) {
      const result = await checkRaces({ adapter: timedOutCheckLeaks, seed, numRuns: runs });
      expect(result.passed, formatRaceResult(result)).toBe(false);
      expect(['leaked-connection', 'over-max']).toContain(result.failure?.violation.kind);
    }
  });
});
