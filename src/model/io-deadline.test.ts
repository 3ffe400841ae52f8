import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, blocked, connectWillFail, connectWillTake, initialState, reconcile, slept, type Capabilities, type ModelState, type Semantics } from './index.js';

/*
 * A waiter handed its capacity by a timer (the connect an overdue timer gave up on, or a failed
 * one) starts a connect that connects at once. On a server it lands by I/O, after every timer due
 * at that instant: where the timeout covers the connect, the waiter's own deadline, due then too,
 * rejects it first, and the connection lands as `lateConnect` says. On pg-mem it lands at once.
 */
const config = { minSize: 0, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 1000 };
const caps = asyncpgSemantics.capabilities as Capabilities;
// pg-pool's timeout: one deadline over the wait and the connect, and each connect's own timer.
const pgPoolLike: Semantics = { ...asyncpgSemantics, capabilities: { ...caps, acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'own-timeout' } };
const waitOnly: Semantics = { ...asyncpgSemantics, capabilities: caps };

function twoAcquires(byIo: boolean, semantics: Semantics = pgPoolLike, delay = 1, fails = false): ModelState {
  const base = initialState(config, semantics);
  const faulted = connectWillTake(fails ? connectWillFail(base) : base, delay);
  return acquiresIssued(byIo ? { ...faulted, connectsLandByIo: true as const } : faulted, 2).state;
}

describe('a connect begun at once as a timer fires, on a server, lands after the deadline due with it', () => {
  it('pg-mem: the waiter gets a new connection as the first connect lands', () => {
    const s = blocked(twoAcquires(false), 1000);
    expect(s.answers.map((a) => [a.ticket, a.outcome])).toEqual([[1, 'served'], [2, 'rejected']]);
  });

  it('a server, after a block: #1 timed out by its connect timer, #2 by its queue timer, and #2\'s connection lands idle', () => {
    const s = blocked(twoAcquires(true), 1000);
    expect(s.answers).toEqual([
      { ticket: 1, outcome: 'rejected', reason: 'timed out' },
      { ticket: 2, outcome: 'rejected', reason: 'timed out' },
    ]);
    // #1's connect began its I/O as its overdue delay fired, before #2's: it lands first, and is closed.
    expect(s.landedUnasked.map((l) => l.fate)).toEqual(['closed', 'idle']);
    const r = reconcile(s, [{ id: 1, at: 1000 }], [{ id: 1, at: 1000 }, { id: 2, at: 1000 }]);
    expect(r.violations).toEqual([]);
    expect(r.state.conns.map((c) => [c.id, c.state])).toEqual([[1, 'gone'], [2, 'idle']]);
  });

  it('a server, no block: the connect for #2 reaches the server before #1\'s, whose delay is due with its connect timer', () => {
    const s = slept(twoAcquires(true, pgPoolLike, 1000), 1000);
    expect(s.answers.map((a) => [a.ticket, a.outcome])).toEqual([[1, 'rejected'], [2, 'rejected']]);
    expect(s.landedUnasked.map((l) => l.fate)).toEqual(['idle', 'closed']);
    expect(reconcile(s, [{ id: 2, at: 1000 }], [{ id: 1, at: 1000 }, { id: 2, at: 1000 }]).violations).toEqual([]);
  });

  it('a server, a failed slow connect: the waiter it frees still times out', () => {
    const s = blocked(twoAcquires(true, pgPoolLike, 100, true), 1000);
    expect(s.answers).toEqual([
      { ticket: 1, outcome: 'rejected', reason: 'connect failed', tookSlot: true },
      { ticket: 2, outcome: 'rejected', reason: 'timed out' },
    ]);
    expect(s.landedUnasked.map((l) => l.fate)).toEqual(['idle']);
  });

  it('a deadline over the wait only: the waiter handed a connect is done waiting, and gets it', () => {
    const s = blocked(twoAcquires(true, waitOnly, 100, true), 1000);
    expect(s.answers.map((a) => [a.ticket, a.outcome])).toEqual([[1, 'rejected'], [2, 'served']]);
  });
});
