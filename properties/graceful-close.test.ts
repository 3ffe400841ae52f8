import { afterEach, describe, expect, it } from 'vitest';
import { adapter as closeForgetsConnect } from '../fixtures/mutants/close-forgets-connect.js';
import { adapter as closeTimerLate, CLOSE_WITHIN_MS } from '../fixtures/mutants/close-timer-late.js';
import { adapter as lateCloseForgetsWaiters } from '../fixtures/mutants/late-close-forgets-waiters.js';
import { adapter as lateCloseRejection, lateCloseRejectionSemantics } from '../fixtures/pools/late-close-rejection.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { asyncpgSemantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { commandFromJson } from '../src/commands/from-json.js';
import type { PoolCommand } from '../src/commands/index.js';
import { createPgMemConnector } from '../src/connectors/pgmem.js';
import { runOnce } from '../src/runner/run-once.js';
import { expectCaught, expectCaughtAmong } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A graceful close that leaves idle connections to the pool's own timer: the runner lets that much
 * virtual time pass during the close, and no more. The own pool does it with closeIdleAfterMs.
 */

const SEEDS = [1, 2, 3, 4, 5];

/** Seed 1 is shrunk, to show the short trace; seeds 2-5 only have to catch the bug. */
const shrinkOnly1 = (seed: number): { seed: number; shrink: boolean } => ({ seed, shrink: seed === 1 });

describe('graceful close by the pool\'s own timer', () => {
  it(`the own pool closing idle connections ${CLOSE_WITHIN_MS} ms after close() passes, declared idle-by-timer within ${CLOSE_WITHIN_MS} ms`, async () => {
    const adapter = ownPoolAdapter({ closeIdleAfterMs: CLOSE_WITHIN_MS });
    expect(adapter.semantics.gracefulClose).toEqual({ kind: 'idle-by-timer', withinMs: CLOSE_WITHIN_MS });
    const result = await check({ adapter, numRuns: 50 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('a timer 1 ms past its bound is caught on seeds 1-5, in a few steps', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: closeTimerLate, ...shrinkOnly1(seed) }), 'close-incomplete', /close\(\) had not resolved 50 ms after it was called, the bound its declared timer has|was still open at \d+ ms, \d+ ms after the bound of the pool's close timer \(50 ms after the close, or after the release\)/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(3);
    }
  });

  it('a bound shorter than the timer fails, naming it', async () => {
    const adapter = ownPoolAdapter({ closeIdleAfterMs: CLOSE_WITHIN_MS, semantics: { ...asyncpgSemantics, gracefulClose: { kind: 'idle-by-timer', withinMs: CLOSE_WITHIN_MS - 10 } } });
    expectCaught(await check({ adapter, seed: 1 }), 'close-incomplete', /40 ms/);
  });

  it('a timer declared as an immediate close fails: the idle connections are still open after close()', async () => {
    const adapter = ownPoolAdapter({ closeIdleAfterMs: CLOSE_WITHIN_MS, semantics: asyncpgSemantics });
    expectCaughtAmong(await check({ adapter, seed: 1 }), ['close-incomplete', 'not-settled']);
  });
});

describe('close and terminate reject the waiters each in its own way', () => {
  it('a close that rejects the waiters only after the last release, and a terminate that does at once, pass declared so', async () => {
    const result = await check({ adapter: lateCloseRejection, numRuns: 50 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each([
    ['the same pool declared as rejecting them when close() is called', { ...lateCloseRejection, semantics: asyncpgSemantics }, 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/],
    ['a pool that rejects them at once declared as after the last release', ownPoolAdapter({ semantics: lateCloseRejectionSemantics }), 'waiter-answered-early', /should still be waiting .* but it was rejected: PoolClosedError/],
  ] as const)('%s fails', async (_why, adapter, kind, message) => {
    expect(expectCaught(await check({ adapter, seed: 1 }), kind, message).length).toBeLessThanOrEqual(4);
  });

  it('a pool that forgets to reject them after the last release is caught on seeds 1-5', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: lateCloseForgetsWaiters, ...shrinkOnly1(seed) }), 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(4);
    }
  });
});

describe('close while a connect is in flight', () => {
  const steps = [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }].map((json) => commandFromJson(json) as PoolCommand);

  it('the own pool serves the acquire behind it, close waits for its release, and nothing leaks', async () => {
    expect(ownPoolAdapter().semantics.capabilities?.closeDuringConnect).toBe('serves');
    const run = await runOnce(ownPoolAdapter(), { minSize: 0, maxSize: 2, lifetimeMs: 1000 }, steps, createPgMemConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.map((s) => `${s.at} ${s.command}`)).toEqual([
      '0 create pool (min 0, max 2, lifetime 1000 ms)',
      '0 slowNextConnect(100)',
      '0 acquire()',
      '0 close(): closing',
      '100 close(): sleep(100) until a connect in flight lands',
      '100 close(): release(#1)',
      '100 close(): resolves',
    ]);
  });

  it('a close that forgets the connect in flight is caught on seeds 1-5', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: closeForgetsConnect, ...shrinkOnly1(seed) }), 'count-mismatch');
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(3);
    }
  });
});
