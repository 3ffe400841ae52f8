import { describe, expect, it } from 'vitest';
import { acquired, asyncpgSemantics, connectWillFail, connectWillTake, discarded, initialState, reconcile, released, slept, type ModelState, type Semantics } from './index.js';

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
