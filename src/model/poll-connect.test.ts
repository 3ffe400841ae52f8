import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, connectWillTake, initialState, slept, type Semantics } from './index.js';
import type { Capabilities } from './semantics.js';

// A polled acquire timeout whose deadline also covers the connect: the connect is given up at
// some poll in the window from the deadline to one interval after it, learnt from the real call.
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 100 };
const caps = asyncpgSemantics.capabilities as Capabilities;
const polled: Semantics = { ...asyncpgSemantics, capabilities: { ...caps, acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'closed', acquireTimeoutCheck: { kind: 'poll', everyMs: 25 } } };
const window = { from: 100, to: 125, everyMs: 25 };

function slowAcquire(connectMs: number) {
  return acquiresIssued(connectWillTake(initialState(config, polled), connectMs), 1).state;
}

describe('a polled deadline over the connect', () => {
  it('is still waiting for its connect until the window ends, then rejects it there', () => {
    expect(slept(slowAcquire(300), 124).answers).toEqual([]);
    const s = slept(slowAcquire(300), 125);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out', within: window }]);
    expect(s.connecting[0]?.abandonedAt).toBe(125);
  });

  it('takes the instant the pool rejected the acquire, inside the window, as the poll that gave the connect up', () => {
    const s = slept(slowAcquire(300), 130, new Map([[1, { ok: false, at: 110 }]]));
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out', within: window }]);
    expect(s.connecting[0]?.abandonedAt).toBe(110);
  });

  it('serves a connect that lands within the window before the poll came', () => {
    expect(slept(slowAcquire(110), 130).answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });

  it('lets a landing at the window\'s last instant come before the poll', () => {
    expect(slept(slowAcquire(125), 125).answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });
});
