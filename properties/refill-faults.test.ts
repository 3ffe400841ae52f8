import { afterEach, describe, expect, it } from 'vitest';
import { adapter as refillFailureLeaks } from '../fixtures/mutants/refill-failure-leaks.js';
import { adapter as refilling, refillingSemantics } from '../fixtures/pools/refilling.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { configArbFromRanges } from '../src/runner/config-ranges.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A min refill after an expiry or a discard, with failed and slow connects drawn: the refill's
 * connect is the next one, and takes the fault. The own pool does it as fixtures/pools/refilling.ts.
 */

const SEEDS = [1, 2, 3, 4, 5];

/**
 * A pool with a minimum that refills after every expiry reopens what expires at once, so with the
 * default draw's 1 ms lifetimes it churns a connection per millisecond of virtual time: lifetimes
 * of seconds keep the same behaviour at a cost a test can pay.
 */
const configs = configArbFromRanges({ minSize: { min: 1, max: 3 }, maxSize: { min: 1, max: 4 }, lifetimeMs: { min: 5000, max: 60_000 } });

describe('a min refill together with connect faults', () => {
  it('the own pool refilling after every loss passes with failed and slow connects drawn', async () => {
    expect(refillingSemantics.capabilities).toMatchObject({ failedConnect: true, slowConnect: true });
    const result = await check({ adapter: refilling, seed: 1, configs });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('a failed refill that keeps its slot is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: refillFailureLeaks, seed, shrink: seed === 1, configs }), 'not-settled', /^acquire\(\) did not settle: nothing is due at \d+ ms and the operation is still pending$/, ['waiter-not-served', /should have been served .* but is still waiting/], ['count-mismatch', /size/]);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(4);
    }
  });

  it('declared as refilling after a discard only, the refill after an expiry fails as unexpected', async () => {
    const adapter = { ...refilling, semantics: { ...refillingSemantics, minRefill: ['after-discard' as const] } };
    expectCaught(await check({ adapter, seed: 1, configs }), 'unexpected-create', /which no acquire asked for and nothing since the last one called for a refill/);
  });
});
