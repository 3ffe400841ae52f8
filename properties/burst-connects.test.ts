import { afterEach, describe, expect, it } from 'vitest';
import { adapter as burstConnectsInCall } from '../fixtures/mutants/burst-connects-in-call.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * When a burst's connects start shows only at a tie: a connect that lands at the very instant a
 * waiter of the same burst times out. For pools that declare `burstConnects`, slow connects as long
 * as the acquire timeout, and bursts, are drawn often enough that the tie comes within 200 runs.
 */
describe('a pool that starts a burst\'s connects in the other order than declared is caught on seeds 1-5', () => {
  it.each([1, 2, 3, 4, 5])('pg-pool dispatching its queue inside the call, declared after-burst, seed %i', async (seed) => {
    const result = await check({ adapter: burstConnectsInCall, seed });
    const failure = expectCaught(result, 'served-after-timeout', /^acquire #\d+ should have been rejected \(timed out\) but got connection #\d+$/);
    expect(failure.length, formatResult(result)).toBeLessThanOrEqual(10);
    expect(failure.steps.some((s) => /burst/.test(s.command)), formatResult(result)).toBe(true);
  });
});
