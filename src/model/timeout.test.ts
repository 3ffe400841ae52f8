import { describe, expect, it } from 'vitest';
import { acquired, acquiresIssued, asyncpgSemantics, blocked, connectWillTake, initialState, reconcile, released, slept, type Semantics } from './index.js';
import type { Capabilities } from './semantics.js';

const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 100 };
const caps = asyncpgSemantics.capabilities as Capabilities;
const covering = (lateConnect: Capabilities['lateConnect']): Semantics => ({ ...asyncpgSemantics, capabilities: { ...caps, acquireTimeoutCovers: 'wait-and-connect', ...(lateConnect === undefined ? {} : { lateConnect }) } });

/** One acquire whose connect takes 300 ms, then `ms` of time. */
function slowAcquire(semantics: Semantics, ms: number) {
  const { state } = acquiresIssued(connectWillTake(initialState(config, semantics), 300), 1);
  return slept(state, ms);
}

describe('acquire timeout: what it covers', () => {
  it('over the wait only, an acquire waits for its connect however long it takes', () => {
    const s = slowAcquire(asyncpgSemantics, 300);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });

  it('over the wait and the connect, the acquire is rejected at its deadline', () => {
    const s = slowAcquire(covering('kept'), 100);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out' }]);
    expect(s.connecting).toHaveLength(1);
  });
});

describe('acquire timeout: a connect its acquire gave up on', () => {
  it('closed: it stops counting at the deadline, and is closed the instant it lands', () => {
    const s = slowAcquire(covering('closed'), 300);
    expect(s.landedUnasked).toEqual([{ at: 300, fate: 'closed', seq: expect.any(Number) }]);
    expect(reconcile(s, [{ id: 1, at: 300 }], [{ id: 1, at: 300 }]).violations).toEqual([]);
    expect(reconcile(s, [], [{ id: 1, at: 300 }]).violations[0]).toMatchObject({ kind: 'abandoned-kept', message: expect.stringMatching(/^connection #1 landed at 300 ms after its acquire had given up on the connect/) as unknown });
  });

  it('kept: it counts until it lands, then is idle from then on', () => {
    const s = slowAcquire(covering('kept'), 300);
    expect(s.landedUnasked).toEqual([{ at: 300, fate: 'idle', seq: 1 }]);
    const r = reconcile(s, [], [{ id: 1, at: 300 }]);
    expect(r.violations).toEqual([]);
    expect(r.state.conns[0]).toMatchObject({ id: 1, state: 'idle', idleSince: 300 });
  });

  it('own-timeout: kept if it lands within its own timer, closed if still in flight then', () => {
    const { state } = acquiresIssued(connectWillTake(initialState(config, covering('own-timeout')), 300), 1);
    // A direct connect: its own timer and the acquire's are one, so it is abandoned at 100 ms.
    expect(slept(state, 300).landedUnasked).toEqual([{ at: 300, fate: 'closed', seq: expect.any(Number) }]);
  });
});

describe('acquire timeout: a kept late connect and the min floor', () => {
  // pg-pool at seed -68244549: a connect kept after its acquire timed out lands while the loop is
  // blocked, and an idle connection's expiry comes due at the instant it wakes. The log tells the
  // destruction before the opening, so until it is learnt the floor must count the kept one.
  const floored: Semantics = { ...covering('kept'), minFloor: 'size', minRefill: [], minOpens: 'never' };
  const withMin = { minSize: 1, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 100 };

  function keptThenWoken(): ReturnType<typeof blocked> {
    let s = acquired(initialState(withMin, floored), 1, true);
    s = acquiresIssued(connectWillTake(s, 300), 1).state;
    return blocked(released(s, 1), 1000);
  }

  it('counts it as open after it lands, so an expiry then leaves the floor kept', () => {
    const s = keptThenWoken();
    const r = reconcile(s, [{ id: 1, at: 1000 }], [{ id: 2, at: 1000 }]);
    expect(r.violations).toEqual([]);
    expect(r.state.conns.map((c) => [c.id, c.state])).toEqual([[1, 'gone'], [2, 'idle']]);
  });

  it('counts it as idle for an idle floor, once it has landed', () => {
    let s = acquired(initialState(withMin, { ...floored, minFloor: 'idle' }), 1, true);
    s = blocked(released(acquiresIssued(connectWillTake(s, 300), 1).state, 1), 1000);
    expect(reconcile(s, [{ id: 1, at: 1000 }], [{ id: 2, at: 1000 }]).violations).toEqual([]);
  });

  it('still holds the floor where only the one connection is open', () => {
    // The same trace without the slow acquire: #1 alone is open, and its expiry breaks the floor.
    const s = blocked(released(acquired(initialState(withMin, floored), 1, true), 1), 1000);
    expect(reconcile(s, [{ id: 1, at: 1000 }]).violations[0]).toMatchObject({ kind: 'floor-broken' });
  });
});
