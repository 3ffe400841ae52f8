import { afterEach, describe, expect, it } from 'vitest';
import { adapter as closeTimerLate, CLOSE_WITHIN_MS } from '../fixtures/mutants/close-timer-late.js';
import { adapter as lateCloseForgetsWaiters } from '../fixtures/mutants/late-close-forgets-waiters.js';
import { adapter as lateCloseRejection, lateCloseRejectionSemantics } from '../fixtures/pools/late-close-rejection.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { asyncpgSemantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A graceful close that leaves idle connections to the pool's own timer: the runner lets that much
 * virtual time pass during the close, and no more. The own pool does it with closeIdleAfterMs.
 */

const SEEDS = [1, 2, 3, 4, 5];

describe('graceful close by the pool\'s own timer', () => {
  it(`the own pool closing idle connections ${CLOSE_WITHIN_MS} ms after close() passes, declared idle-by-timer within ${CLOSE_WITHIN_MS} ms`, async () => {
    const adapter = ownPoolAdapter({ closeIdleAfterMs: CLOSE_WITHIN_MS });
    expect(adapter.semantics.gracefulClose).toEqual({ kind: 'idle-by-timer', withinMs: CLOSE_WITHIN_MS });
    const result = await check({ adapter });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('a timer 1 ms past its bound is caught on seeds 1-5, in a few steps', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: closeTimerLate, seed }), 'close-incomplete', /close\(\) had not resolved 50 ms after it was called, the bound its declared timer has|was still open at \d+ ms, 50 ms after the pool was closed, and its timer closes idle connections within 50 ms/);
      expect(failure.length, `seed ${seed}`).toBeLessThanOrEqual(3);
    }
  });

  it('a bound shorter than the timer fails, naming it', async () => {
    const adapter = ownPoolAdapter({ closeIdleAfterMs: CLOSE_WITHIN_MS, semantics: { ...asyncpgSemantics, gracefulClose: { kind: 'idle-by-timer', withinMs: CLOSE_WITHIN_MS - 10 } } });
    for (const seed of SEEDS) expectCaught(await check({ adapter, seed }), 'close-incomplete', /40 ms/);
  });

  it('a timer declared as an immediate close fails: the idle connections are still open after close()', async () => {
    const adapter = ownPoolAdapter({ closeIdleAfterMs: CLOSE_WITHIN_MS, semantics: asyncpgSemantics });
    for (const seed of SEEDS) {
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(false);
      expect(['close-incomplete', 'not-settled'], formatResult(result)).toContain(result.failure?.violation.kind);
    }
  });
});

describe('close and terminate reject the waiters each in its own way', () => {
  it('a close that rejects the waiters only after the last release, and a terminate that does at once, pass declared so', async () => {
    const result = await check({ adapter: lateCloseRejection });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each([
    ['the same pool declared as rejecting them when close() is called', { ...lateCloseRejection, semantics: asyncpgSemantics }, 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/],
    ['a pool that rejects them at once declared as after the last release', ownPoolAdapter({ semantics: lateCloseRejectionSemantics }), 'waiter-answered-early', /should still be waiting .* but it was rejected: PoolClosedError/],
    ['a pool that forgets to reject them after the last release', lateCloseForgetsWaiters, 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/],
  ] as const)('%s fails on seeds 1-5', async (_why, adapter, kind, message) => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed }), kind, message);
      expect(failure.length, `seed ${seed}`).toBeLessThanOrEqual(4);
    }
  });
});
