import { describe, expect, it } from 'vitest';
import { acquired, asyncpgSemantics, blocked, discarded, initialState, poolCreated, reconcile, released, slept, windowOf, type ModelState, type Semantics } from './index.js';
import { normalizeMin, normalizeSemantics } from './semantics.js';

const config = { minSize: 1, maxSize: 3, lifetimeMs: 5000 };
const { min: _min, opensMinOnCreate: _opens, ...asyncpgWithoutMin } = asyncpgSemantics;
const timer: Semantics = { ...asyncpgWithoutMin, minFloor: 'none', minRefill: [], minOpens: 'never' };
const reaper: Semantics = { ...timer, expiry: { kind: 'reaper', intervalMs: 1000, startsOn: 'pool-creation', compare: '>=', maxPerRun: null } };

function useOnce(state: ModelState, id: number): ModelState {
  return released(acquired(state, id, true), id);
}

describe('min: shorthand', () => {
  it('keeps the meaning of every value declared before the fields existed', () => {
    expect(normalizeMin({ ...asyncpgSemantics, min: 'ignored', opensMinOnCreate: true })).toEqual({ floor: 'none', refill: [], opens: 'on-create' });
    expect(normalizeMin({ ...asyncpgSemantics, min: 'floor', opensMinOnCreate: false })).toEqual({ floor: 'size', refill: [], opens: 'never' });
    expect(normalizeMin({ ...asyncpgSemantics, min: 'floor-refill' })).toEqual({ floor: 'none', refill: ['after-expiry', 'after-discard'], opens: 'on-create' });
  });

  it('normalises a shorthand and the fields it stands for to the same declaration', () => {
    const short = normalizeSemantics({ ...asyncpgSemantics, min: 'floor' });
    const long = normalizeSemantics({ ...timer, minFloor: 'size', minOpens: 'on-create' });
    expect(short).toEqual(long);
  });
});

describe('min: what the floor counts', () => {
  it('an idle floor keeps the last idle connections however many are in use', () => {
    const sem: Semantics = { ...timer, minFloor: 'idle' };
    let s = acquired(acquired(initialState(config, sem), 1, true), 2, true);
    s = slept(released(s, 1), 5000);
    // Two open, one in use: a floor on size would let #1 go; one on idle keeps it.
    const kept = reconcile(s, []);
    expect(kept.violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 5000 }]).violations[0]).toMatchObject({ kind: 'floor-broken', message: expect.stringMatching(/only 1 connection\(s\) were idle and the declared min floor is 1/) as unknown });
    expect(reconcile({ ...s, semantics: { ...timer, minFloor: 'size' } }, [{ id: 1, at: 5000 }]).violations).toEqual([]);
  });
});

describe('min: refill', () => {
  it('after an expiry: the pool owes the connections back at once, and no more', () => {
    const sem: Semantics = { ...timer, minRefill: ['after-expiry'], armsOn: 'release-and-create' };
    const s = slept(useOnce(initialState(config, sem), 1), 5000);
    const refilled = reconcile(s, [{ id: 1, at: 5000 }], [{ id: 2, at: 5000 }]);
    expect(refilled.violations).toEqual([]);
    expect(refilled.state.refillOwed).toBeNull();
    expect(windowOf(refilled.state, refilled.state.conns[1]!)).toMatchObject({ from: 10_000, to: 10_000 });
    expect(reconcile(s, [{ id: 1, at: 5000 }], [{ id: 2, at: 5000 }, { id: 3, at: 5000 }]).violations[0]?.kind).toBe('unexpected-create');
    expect(reconcile(s, [{ id: 1, at: 5000 }]).violations[0]).toMatchObject({
      kind: 'min-not-refilled',
      message: 'after connection #1 expired at 5000 ms the pool had 0 connection(s) open, below its min of 1, and did not open connections back up to it by 5000 ms (declared: no min floor, refilled after-expiry)',
    });
  });

  it('after a discard, but not after an expiry, where only that is declared', () => {
    const sem: Semantics = { ...timer, minRefill: ['after-discard'] };
    const s = discarded(acquired(initialState(config, sem), 1, true), 1);
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 2, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 0 }]).violations[0]?.kind).toBe('min-not-refilled');
    const expired = slept(useOnce(initialState(config, sem), 1), 5000);
    expect(reconcile(expired, [{ id: 1, at: 5000 }], [{ id: 2, at: 5000 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it('at an acquire: an idle floor is brought back up as connections are lent', () => {
    const sem: Semantics = { ...timer, minFloor: 'idle', minRefill: ['at-acquire'] };
    const s = acquired(poolCreated(initialState(config, sem), [1]), 1, false);
    expect(s.refillOwed).toMatchObject({ since: 0, cause: 'the acquire of #1', by: 'at-once' });
    expect(reconcile(s, [], [{ id: 2, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, []).violations[0]?.kind).toBe('min-not-refilled');
  });

  it('at an acquire: a connection that expires after it, at the instant a blocked loop wakes, is not owed again', () => {
    // The woken code's acquire is served in a microtask, before the overdue expiry of #1: the pool
    // refills what it counted then (#1 and #2 open, one short of min), and #1 goes after.
    const sem: Semantics = { ...timer, minRefill: ['at-acquire'], minOpens: 'on-create' };
    let s = reconcile(slept(acquired(acquired(poolCreated(initialState({ minSize: 3, maxSize: 3, lifetimeMs: 1 }, sem), [1, 2, 3]), 1, false), 2, false), 1), [{ id: 3, at: 1 }]).state;
    s = acquired(blocked(released(released(s, 1), 2), 1), 2, false);
    expect(s.refillOwed).toMatchObject({ since: 2, by: 'at-once' });
    expect(reconcile(s, [{ id: 1, at: 2 }], [{ id: 4, at: 2 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 2 }]).violations[0]).toMatchObject({ kind: 'min-not-refilled', message: expect.stringMatching(/after the acquire of #2 at 2 ms the pool had 1 connection/) as unknown });
  });

  it('on every reaper run: owed by the next run, one interval later at most', () => {
    const sem: Semantics = { ...reaper, minRefill: ['on-reaper-run'] };
    const s = initialState(config, sem);
    expect(reconcile(slept(s, 1000), []).violations).toEqual([]);
    const owed = reconcile(slept(s, 1000), []).state;
    expect(reconcile(slept(owed, 400), [], [{ id: 1, at: 1400 }]).violations).toEqual([]);
    expect(reconcile(slept(owed, 1001), []).violations[0]).toMatchObject({ kind: 'min-not-refilled', message: expect.stringMatching(/within one reaper run, by 2000 ms/) as unknown });
  });
});

describe('min: first opened', () => {
  it('at the first acquire: the rest of min is owed then, and not before', () => {
    const sem: Semantics = { ...timer, minOpens: 'first-acquire' };
    const config2 = { ...config, minSize: 2 };
    expect(reconcile(initialState(config2, sem), [], [{ id: 1, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
    const s = acquired(initialState(config2, sem), 1, true);
    expect(reconcile(s, [], [{ id: 2, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, []).violations[0]?.message).toMatch(/^after the first acquire at 0 ms the pool had 1 connection\(s\) open, below its min of 2/);
    // Only the first: a later acquire owes nothing.
    const later = released(acquired(reconcile(s, [], [{ id: 2, at: 0 }]).state, 2, false), 2);
    expect(later.refillOwed).toBeNull();
  });
});
