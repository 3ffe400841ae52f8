import { afterEach, describe, expect, it } from 'vitest';
import { adapter as createNotRetried } from '../fixtures/mutants/create-not-retried.js';
import { adapter as retryLate } from '../fixtures/mutants/retry-late.js';
import genericPool from 'generic-pool';
import { genericPoolAdapter, genericPoolSemantics } from '../src/adapters/generic-pool.js';
import { capabilitiesOf } from '../src/model/semantics.js';
import { defaultConfigArb } from '../src/runner/configs.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * generic-pool retries a failed create at once (`_createResource`'s catch → `_dispense()`), and
 * declares it so. With no min, every create is an acquire's; with its min, a refill's creates
 * serve the queue head too, and one that fails is retried for the queue only, not for the min
 * (an evictor run's refill counts in flight the creates that fail after it at its instant).
 */
const noMin = defaultConfigArb.map((c) => ({ ...c, minSize: 0 }));

describe("generic-pool declared failedConnect: { retry: 'at-once' }", () => {
  it('is how the adapter declares it', () => {
    expect(capabilitiesOf(genericPoolSemantics()).failedConnect).toEqual({ retry: 'at-once' });
  });

  it.each(PASS_SEEDS)('passes with no min, seed %i', async (seed) => {
    const result = await check({ adapter: genericPoolAdapter({ genericPool }) as PoolAdapter, seed, configs: noMin, configsKey: 'min 0' });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each(PASS_SEEDS)('passes with its min refilled, seed %i', async (seed) => {
    const result = await check({ adapter: genericPoolAdapter({ genericPool }) as PoolAdapter, seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});

/*
 * A failed connect the pool retries for its acquire (`failedConnect: { retry }`): a retry never
 * made, or made later than declared, leaves the acquire the retry should serve waiting.
 */
describe('a pool that does not retry a failed connect as it declares is caught on seeds 1-5', () => {
  it.each([1, 2, 3, 4, 5])('generic-pool whose failed create does not dispense again (no min), seed %i', async (seed) => {
    const result = await check({ adapter: createNotRetried as PoolAdapter, seed, configs: noMin, configsKey: 'min 0' });
    const failure = expectCaught(result, 'not-settled', /^(acquire\(\)|\d+ acquires) did not settle: nothing is due at \d+ ms and the operation is still pending; the declared semantics answer (it|them) now: #\d+ .+$/);
    expect(failure.length, formatResult(result)).toBeLessThanOrEqual(4);
    expect(failure.steps.some((s) => /failNextConnect/.test(s.command)), formatResult(result)).toBe(true);
  });

  it.each([1, 2, 3, 4, 5])('generic-pool whose failed create does not dispense again (with its min), seed %i', async (seed) => {
    const result = await check({ adapter: createNotRetried as PoolAdapter, seed });
    const failure = expectCaught(result, 'not-settled', /^(acquire\(\)|\d+ acquires) did not settle: nothing is due at \d+ ms and the operation is still pending; the declared semantics answer (it|them) now: #\d+ .+$/);
    expect(failure.length, formatResult(result)).toBeLessThanOrEqual(4);
    expect(failure.steps.some((s) => /failNextConnect/.test(s.command)), formatResult(result)).toBe(true);
  });

  it.each([1, 2, 3, 4, 5])('tarn whose retry timer is armed with twice the declared interval, seed %i', async (seed) => {
    const result = await check({ adapter: retryLate as PoolAdapter, seed });
    const failure = expectCaught(result, 'waiter-not-served', /^acquire #\d+ should have been served \(#\d+ gets a new connection\) but (is still waiting|was rejected: .*connect failed.*)$/);
    expect(failure.length, formatResult(result)).toBeLessThanOrEqual(6);
    expect(failure.steps.some((s) => /failNextConnect/.test(s.command)), formatResult(result)).toBe(true);
  });
});
