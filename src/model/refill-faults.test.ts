import { describe, expect, it } from 'vitest';
import { acquired, acquiresIssued, asyncpgSemantics, connectWillFail, connectWillTake, discarded, initialState, reconcile, released, slept, type ModelState, type Semantics } from './index.js';
import { answersTaken } from './answers.js';
import { connectFailedFor, poolCreated } from './transitions.js';

const config = { minSize: 1, maxSize: 3, lifetimeMs: 5000 };
const { min: _min, opensMinOnCreate: _opens, ...asyncpgWithoutMin } = asyncpgSemantics;
const refilling: Semantics = { ...asyncpgWithoutMin, minFloor: 'none', minRefill: ['after-expiry', 'after-discard'], minOpens: 'never' };

/** Connection #1 opened for an acquire and discarded: the pool owes one connection back at once. */
function discardedOne(prepare: (s: ModelState) => ModelState): ModelState {
  return discarded(prepare(acquired(initialState(config, refilling), 1, true)), 1);
}

describe('a refill takes the connect faults: its connect is the next one', () => {
  it('a refill whose connect fails is not tried again until the next loss', () => {
    const s = discardedOne(connectWillFail);
    const failed = reconcile(s, [{ id: 1, at: 0 }]);
    expect(failed.violations).toEqual([]);
    expect(failed.state.failNext).toBe(false);
    // Tried again at once: nothing called for it.
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 2, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
    // The next loss calls for the whole shortfall again.
    const next = discarded(acquired(failed.state, 3, true), 3);
    expect(reconcile(next, [{ id: 3, at: 0 }]).violations[0]?.kind).toBe('min-not-refilled');
    expect(reconcile(next, [{ id: 3, at: 0 }], [{ id: 4, at: 0 }]).violations).toEqual([]);
  });

  it('a slow refill counts in size while in flight, and lands idle', () => {
    const s = discardedOne((x) => connectWillTake(x, 100));
    const inFlight = reconcile(s, [{ id: 1, at: 0 }]);
    expect(inFlight.violations).toEqual([]);
    expect(inFlight.state.connecting).toMatchObject([{ ticket: null, refill: true, startedAt: 0, readyAt: 100 }]);
    // Landed in a later step: idle from then, armed as a connection opened for the min.
    const later = slept(inFlight.state, 100);
    const landed = reconcile(later, [], [{ id: 2, at: 100 }]);
    expect(landed.violations).toEqual([]);
    expect(landed.state.conns.find((c) => c.id === 2)).toMatchObject({ state: 'idle', idleSince: 100 });
  });

  it('a slow refill that lands within the step that began it is expected then', () => {
    const expired = slept(released(acquired(initialState(config, refilling), 1, true), 1), 5000);
    const s = connectWillTake(expired, 10);
    const both = slept({ ...s, now: 5000 }, 20);
    expect(reconcile(both, [{ id: 1, at: 5000 }], [{ id: 2, at: 5010 }]).violations).toEqual([]);
    expect(reconcile(both, [{ id: 1, at: 5000 }]).violations[0]).toMatchObject({ kind: 'min-not-refilled', message: expect.stringMatching(/refill connect, begun at 5000 ms, was due to land at 5010 ms, but no connection opened then/) as unknown });
  });

  it('a slow refill that fails frees its place, and is not tried again', () => {
    const expired = slept(released(acquired(initialState(config, refilling), 1, true), 1), 5000);
    const s = connectWillFail(connectWillTake(expired, 10));
    const both = slept(s, 20);
    const failed = reconcile(both, [{ id: 1, at: 5000 }]);
    expect(failed.violations).toEqual([]);
    expect(failed.state.connecting).toEqual([]);
  });
});

/** `count` acquires issued together, the first of whose connects fails at once. */
function acquiresWithFailure(state: ModelState, count: number): ModelState {
  const issued = acquiresIssued(connectWillFail(state), count);
  const failed = issued.state.answers.find((a) => a.outcome === 'rejected');
  expect(failed).toMatchObject({ reason: 'connect failed' });
  return connectFailedFor(answersTaken(issued.state), failed!.ticket);
}

describe("an acquire's connect that fails was in flight when the pool decided its refill", () => {
  it('a waiter whose connect fails after a discard leaves the pool below min, owing nothing', () => {
    const atMax: Semantics = { ...refilling, minRefill: ['after-discard'] };
    let s = initialState({ minSize: 2, maxSize: 2, lifetimeMs: 5000 }, atMax);
    s = acquired(acquired(s, 1, true), 2, true);
    s = answersTaken(acquiresIssued(s, 1).state);
    expect(s.waiters).toHaveLength(1);
    // The discard hands the capacity to the waiter, whose connect takes the fault.
    s = discarded(connectWillFail(s), 1);
    expect(s.answers).toMatchObject([{ outcome: 'rejected', reason: 'connect failed' }]);
    s = connectFailedFor(answersTaken(s), s.answers[0]!.ticket);
    expect(reconcile(s, [{ id: 1, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 3, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it('an acquire whose connect fails still calls for a refill at acquire, counting that connect', () => {
    const atAcquire: Semantics = { ...refilling, minRefill: ['at-acquire'] };
    const s = acquiresWithFailure(initialState({ minSize: 2, maxSize: 3, lifetimeMs: 5000 }, atAcquire), 1);
    expect(reconcile(s, [], [{ id: 1, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, []).violations[0]?.kind).toBe('min-not-refilled');
    expect(reconcile(s, [], [{ id: 1, at: 0 }, { id: 2, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it('a first acquire whose connect fails still opens the rest of min', () => {
    const firstAcquire: Semantics = { ...refilling, minRefill: [], minOpens: 'first-acquire' };
    const s = acquiresWithFailure(initialState({ minSize: 2, maxSize: 3, lifetimeMs: 5000 }, firstAcquire), 1);
    expect(s.acquiredOnce).toBe(true);
    expect(reconcile(s, [], [{ id: 1, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, []).violations[0]?.kind).toBe('min-not-refilled');
  });

  it('an idle floor does not count it, but it held capacity: the refill opens up to max with it', () => {
    const idleFloor: Semantics = { ...refilling, minFloor: 'idle', minRefill: ['at-acquire'] };
    const s = acquiresWithFailure(initialState({ minSize: 2, maxSize: 2, lifetimeMs: 5000 }, idleFloor), 1);
    expect(reconcile(s, [], [{ id: 1, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [], [{ id: 1, at: 0 }, { id: 2, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it("a refill connect that failed is not tried again by a later event of the same command", () => {
    const idleFloor: Semantics = { ...refilling, minFloor: 'idle', minRefill: ['at-acquire'] };
    let s = initialState({ minSize: 2, maxSize: 3, lifetimeMs: 5000 }, idleFloor);
    s = released(released(acquired(acquired(s, 1, true), 2, true), 1), 2);
    // Two acquires take both idle connections; the first one's refill connect fails.
    const issued = answersTaken(acquiresIssued(connectWillFail(s), 2).state);
    const both = acquired(acquired(issued, 2, false), 1, false);
    expect(reconcile(both, []).violations).toEqual([]);
    expect(reconcile(both, [], [{ id: 3, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });
});

describe("a reaper's run is one stretch", () => {
  it('a refill connect that failed for an earlier expiry of the run is not tried again by a later one', () => {
    const reaper: Semantics = {
      ...refilling,
      expiry: { kind: 'reaper', intervalMs: 1000, startsOn: 'pool-creation', compare: '>', maxPerRun: null },
      armsOn: 'release-and-create',
      minOpens: 'on-create',
    };
    const s = slept(connectWillFail(poolCreated(initialState({ minSize: 2, maxSize: 2, lifetimeMs: 1 }, reaper), [1, 2])), 1000);
    const run = [{ id: 1, at: 1000 }, { id: 2, at: 1000 }];
    expect(reconcile(s, run, [{ id: 3, at: 1000 }]).violations).toEqual([]);
    expect(reconcile(s, run).violations[0]?.kind).toBe('min-not-refilled');
    expect(reconcile(s, run, [{ id: 3, at: 1000 }, { id: 4, at: 1000 }]).violations[0]?.kind).toBe('unexpected-create');
  });
});
