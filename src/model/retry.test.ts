import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, connectWillFail, connectWillTake, expectedCounters, initialState, slept, type Semantics } from './index.js';
import type { Capabilities, FailedConnectRetry } from './semantics.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
const retriedAtOnce: Semantics = { ...asyncpgSemantics, capabilities: { ...caps, failedConnect: { retry: 'at-once' } } };
const queueHead = (failedConnect: FailedConnectRetry): Semantics => ({ ...asyncpgSemantics, capabilities: { ...caps, acquireTimeoutCovers: 'wait-and-connect', connectServes: 'queue-head', failedConnect } });
const tarnLike = queueHead({ retry: { afterMs: 200 }, perLook: 'one' });

describe("a failed connect retried at once (failedConnect: { retry: 'at-once' })", () => {
  it('the acquire is served by the retry, never rejected', () => {
    const s = acquiresIssued(connectWillFail(initialState({ minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, retriedAtOnce)), 1).state;
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    expect(s.failNext).toBe(false);
  });

  it('a slow connect that fails is retried as it fails, for the same acquire, its deadline kept', () => {
    let s = acquiresIssued(connectWillTake(connectWillFail(initialState({ minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: 500 }, retriedAtOnce)), 100), 1).state;
    expect(s.answers).toEqual([]);
    s = slept(connectWillTake(s, 1000), 100);
    expect(s.answers).toEqual([]);
    expect(s.connecting.map((c) => ({ ticket: c.ticket, startedAt: c.startedAt, readyAt: c.readyAt }))).toEqual([{ ticket: 1, startedAt: 100, readyAt: 1100 }]);
  });
});

describe('a failed connect retried by a look at the queue 200 ms later, one connect per look (tarn)', () => {
  const config = { minSize: 0, maxSize: 3, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };

  it('the acquire waits until the retry, which serves it at 200 ms', () => {
    const s = acquiresIssued(connectWillFail(initialState(config, tarnLike)), 1).state;
    expect(expectedCounters(s)).toEqual({ idle: 0, size: 0, waiting: 1 });
    expect(s.retryTimers).toEqual([{ at: 200, order: expect.any(Number) }]);
    expect(slept(s, 199).answers).toEqual([]);
    expect(slept(slept(s, 199), 1).answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });

  it('a burst behind the failed connect starts one connect per acquire; landing together, the last look starts one more', () => {
    // #1's connect fails; #2's and #3's land together: the first look serves #1 and #2, the
    // second finds nothing free and starts one for #3.
    const s = acquiresIssued(connectWillFail(initialState(config, tarnLike)), 3).state;
    expect(s.answers.map((a) => a.ticket)).toEqual([1, 2, 3]);
  });

  it('declared with a look that makes up the whole shortfall, the later acquire of a burst is served at once', () => {
    const s = acquiresIssued(connectWillFail(initialState({ ...config, maxSize: 2 }, queueHead({ retry: { afterMs: 200 } }))), 2).state;
    expect(s.answers.map((a) => a.ticket)).toEqual([1]);
    expect(s.waiters.map((w) => w.ticket)).toEqual([2]);
  });

  it('an acquire after the failure is a look: it starts one connect, which serves the head', () => {
    let s = acquiresIssued(connectWillFail(initialState(config, tarnLike)), 1).state;
    s = acquiresIssued(slept({ ...s, answers: [] }, 50), 1).state;
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    expect(s.waiters.map((w) => w.ticket)).toEqual([2]);
    expect(slept({ ...s, answers: [], servedNew: [] }, 150).answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [] }]);
  });
});
