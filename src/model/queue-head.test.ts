import { describe, expect, it } from 'vitest';
import { acquired, acquiresIssued, asyncpgSemantics, connectWillFail, connectWillTake, discarded, expectedCounters, initialState, released, slept, type Semantics } from './index.js';
import { answersTaken } from './answers.js';
import type { Capabilities } from './semantics.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
const queueHead: Semantics = { ...asyncpgSemantics, capabilities: { ...caps, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', connectServes: 'queue-head' } };
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };

describe("connects that serve the head of the queue (connectServes: 'queue-head')", () => {
  it('a fast connect started behind a slow one serves the acquire at the head, and the next waits', () => {
    const first = acquiresIssued(connectWillTake(initialState(config, queueHead), 300), 1).state;
    expect(expectedCounters(first)).toEqual({ idle: 0, size: 1, waiting: 1 });
    const second = acquiresIssued(first, 1).state;
    expect(second.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    expect(second.waiters.map((w) => w.ticket)).toEqual([2]);
    expect(slept(second, 300).answers.at(-1)).toEqual({ ticket: 2, outcome: 'served', candidates: [] });
  });

  it('a release serves the head; the connect in flight lands idle for nobody', () => {
    let s = acquiresIssued(initialState(config, queueHead), 1).state;
    s = { ...s, answers: [], servedNew: [], conns: [{ id: 1, state: 'busy', createdAt: 0, idleSince: null, idleSeq: 0, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined }] };
    s = acquiresIssued(connectWillTake(s, 300), 1).state;
    s = released(s, 1);
    expect(s.answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [1], via: 'handoff' }]);
    expect(slept(s, 300).landedUnasked).toEqual([{ at: 300, fate: 'idle', seq: 1 }]);
  });
});

describe('connects that land by I/O (a real server)', () => {
  // Acquire #1's connect lands at 300 ms; #2, issued at 100 ms at max, times out at 300 ms, a timer
  // set after the connect's.
  const start = (byIo: boolean) => {
    const base = initialState({ minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: 200 }, asyncpgSemantics);
    let s = acquiresIssued(connectWillTake(byIo ? { ...base, connectsLandByIo: true as const } : base, 300), 1).state;
    s = slept(s, 100);
    return slept(acquiresIssued(s, 1).state, 200);
  };
  it('on its timer, a landing comes before a timer set after it at the same instant', () => {
    expect(start(false).answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }, { ticket: 2, outcome: 'rejected', reason: 'timed out' }]);
  });
  it('by I/O, it comes after every timer at its instant', () => {
    expect(start(true).answers).toEqual([{ ticket: 2, outcome: 'rejected', reason: 'timed out' }, { ticket: 1, outcome: 'served', candidates: [] }]);
  });
});

describe('a refill whose connects serve the queue head, with a failed connect retried at once', () => {
  // generic-pool's `destroy()`: `_ensureMinimum` starts the refill's create before `_dispense`
  // looks at the queue, so the refill's first create takes the fault; the dispense in its catch
  // creates again for the waiter, never for the min.
  const { min: _min, opensMinOnCreate: _opens, ...withoutMin } = asyncpgSemantics;
  const retrying: Semantics = {
    ...withoutMin,
    minFloor: 'none',
    minRefill: ['after-expiry', 'after-discard'],
    minOpens: 'never',
    capabilities: { ...caps, connectServes: 'queue-head', failedConnect: { retry: 'at-once' } },
  };
  const discardedBehindWaiter = (failNext: boolean) => {
    let s = acquired(initialState({ minSize: 1, maxSize: 1, lifetimeMs: 60_000 }, retrying), 1, true);
    s = answersTaken(acquiresIssued(s, 1).state);
    return discarded(failNext ? connectWillFail(s) : s, 1);
  };

  it('the refill takes the fault, and the retry serves the waiter', () => {
    const s = discardedBehindWaiter(true);
    expect(s.failNext).toBe(false);
    expect(s.failedAtOnce).toBe(1);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });

  it('with no fault, the refill serves the waiter', () => {
    const s = discardedBehindWaiter(false);
    expect(s.failedAtOnce).toBeUndefined();
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });
});
