import { describe, expect, it } from 'vitest';
import {
  aborted,
  acquiresIssued,
  connectWillTake,
  pendingTickets,
  queryWillTake,
  validationWillFail,
  brokeIdle,
  connectWillFail,
  discarded,
  acquired,
  asyncpgSemantics,
  blocked,
  closeBegan,
  expectedCounters,
  initialState,
  poolCreated,
  predictAcquire,
  reconcile,
  released,
  slept,
  terminated,
  windowOf,
  type ModelState,
  type ReaperExpiry,
  type Semantics,
} from './index.js';
import { answersTaken } from './answers.js';

const config = { minSize: 0, maxSize: 3, lifetimeMs: 5000 };
const floor: Semantics = { ...asyncpgSemantics, min: 'floor' };

/** Acquire a new connection `id` and release it at the current time. */
function useOnce(state: ModelState, id: number): ModelState {
  return released(acquired(state, id, true), id);
}

describe('reference model: per-connection timer', () => {
  it('predicts a new connection when nothing is idle, and waiting at max', () => {
    let s = initialState({ ...config, maxSize: 1 }, asyncpgSemantics);
    expect(predictAcquire(s)).toEqual({ kind: 'create' });
    s = acquired(s, 1, true);
    expect(predictAcquire(s)).toEqual({ kind: 'wait' });
  });

  it('reuses the most recently released connection (LIFO), or the longest idle (FIFO)', () => {
    let s = initialState(config, asyncpgSemantics);
    s = acquired(acquired(s, 1, true), 2, true);
    s = released(released(s, 1), 2);
    expect(predictAcquire(s)).toEqual({ kind: 'reuse', candidates: [2] });
    expect(predictAcquire({ ...s, semantics: { ...asyncpgSemantics, reuse: 'fifo' } })).toEqual({ kind: 'reuse', candidates: [1] });
  });

  it('accepts either of the connections opened together at creation', () => {
    const s = poolCreated(initialState({ ...config, minSize: 2 }, asyncpgSemantics), [1, 2]);
    expect(predictAcquire(s)).toEqual({ kind: 'reuse', candidates: [1, 2] });
  });

  it('gives an idle connection a one-instant window at release + lifetime', () => {
    let s = slept(initialState(config, asyncpgSemantics), 1200);
    s = useOnce(s, 1);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 6200, to: 6200, cause: 'expiry' });
  });

  it('arms connections opened at creation where the semantics say so', () => {
    const armed = poolCreated(initialState({ ...config, minSize: 1 }, asyncpgSemantics), [1]);
    expect(windowOf(armed, armed.conns[0]!)).toMatchObject({ from: 5000, to: 5000 });
    const unarmed = poolCreated(initialState({ ...config, minSize: 1 }, { ...asyncpgSemantics, armsOn: 'release' }), [1]);
    expect(windowOf(unarmed, unarmed.conns[0]!)).toBeNull();
  });

  it('a lifetime of 0 disables expiry', () => {
    const s = useOnce(initialState({ ...config, lifetimeMs: 0 }, asyncpgSemantics), 1);
    expect(windowOf(s, s.conns[0]!)).toBeNull();
  });

  it('accepts a destruction exactly at the deadline', () => {
    const s = slept(useOnce(initialState(config, asyncpgSemantics), 1), 5000);
    const r = reconcile(s, [{ id: 1, at: 5000 }]);
    expect(r.violations).toEqual([]);
    expect(expectedCounters(r.state)).toEqual({ idle: 0, size: 0, waiting: 0 });
  });

  it('reports a connection that outlives its lifetime, with when it was due', () => {
    const s = slept(useOnce(slept(initialState(config, asyncpgSemantics), 1200), 3), 5800);
    const [v] = reconcile(s, []).violations;
    expect(v?.kind).toBe('outlived');
    expect(v?.message).toBe(
      'connection #3, idle since 1200 ms, outlived its 5000 ms lifetime by 800 ms: still open at 7000 ms, due to close at 6200 ms (declared: per-connection timer)',
    );
  });

  it('reports a connection destroyed early, by how much', () => {
    const s = slept(useOnce(initialState(config, asyncpgSemantics), 1), 5000);
    const [v] = reconcile(s, [{ id: 1, at: 4999 }]).violations;
    expect(v?.kind).toBe('expired-early');
    expect(v?.message).toContain('1 ms early');
  });

  it('reports an in-use connection that was destroyed', () => {
    const s = slept(acquired(initialState(config, asyncpgSemantics), 1, true), 10);
    expect(reconcile(s, [{ id: 1, at: 5 }]).violations[0]?.kind).toBe('destroyed-in-use');
  });

  it('reports a double destruction', () => {
    const s = slept(useOnce(initialState(config, asyncpgSemantics), 1), 6000);
    const once = reconcile(s, [{ id: 1, at: 5000 }]);
    expect(reconcile(once.state, [{ id: 1, at: 6000 }]).violations[0]?.kind).toBe('destroyed-twice');
  });

  it('fires timers that came due in a block at the wake time', () => {
    let s = useOnce(initialState(config, asyncpgSemantics), 1);
    s = blocked(s, 9000);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 9000, to: 9000 });
    expect(reconcile(s, [{ id: 1, at: 5000 }]).violations[0]?.kind).toBe('expired-early');
    expect(reconcile(s, [{ id: 1, at: 9000 }]).violations).toEqual([]);
  });

  it('lets an acquire on wake take a connection whose expiry came due in the block', () => {
    let s = blocked(useOnce(initialState(config, asyncpgSemantics), 1), 9000);
    expect(predictAcquire(s)).toEqual({ kind: 'reuse', candidates: [1] });
    s = acquired(s, 1, false);
    expect(reconcile(s, []).violations).toEqual([]);
  });
});

describe('reference model: min floor', () => {
  it('keeps the connections a floor protects, and expires the rest', () => {
    let s = initialState({ ...config, minSize: 1 }, floor);
    s = acquired(acquired(s, 1, true), 2, true);
    s = released(released(s, 1), 2);
    s = slept(s, 5000);
    const r = reconcile(s, [{ id: 1, at: 5000 }]);
    expect(r.violations).toEqual([]);
    expect(r.state.conns.find((c) => c.id === 2)?.kept).toBe(true);
    expect(expectedCounters(r.state)).toEqual({ idle: 1, size: 1, waiting: 0 });
  });

  it('reports an expiry that breaks the floor', () => {
    const s = slept(useOnce(initialState({ ...config, minSize: 1 }, floor), 1), 5000);
    expect(reconcile(s, [{ id: 1, at: 5000 }]).violations[0]?.kind).toBe('floor-broken');
  });

  it('ignores minSize when the semantics say so', () => {
    const s = slept(useOnce(initialState({ ...config, minSize: 1 }, asyncpgSemantics), 1), 5000);
    expect(reconcile(s, [{ id: 1, at: 5000 }]).violations).toEqual([]);
  });
});

describe('reference model: close and terminate', () => {
  it('graceful close takes idle connections at once and busy ones at their release', () => {
    let s = acquired(acquired(initialState(config, asyncpgSemantics), 1, true), 2, true);
    s = released(s, 1);
    s = closeBegan(slept(s, 100));
    expect(s.phase).toBe('closing');
    let r = reconcile(s, [{ id: 1, at: 100 }]);
    expect(r.violations).toEqual([]);
    expect(reconcile(r.state, [{ id: 2, at: 100 }]).violations[0]?.kind).toBe('destroyed-in-use');
    s = released(slept(r.state, 50), 2);
    expect(s.phase).toBe('closed');
    r = reconcile(s, [{ id: 2, at: 150 }]);
    expect(r.violations).toEqual([]);
  });

  it('reports a connection close left open', () => {
    const s = closeBegan(useOnce(initialState(config, asyncpgSemantics), 1));
    expect(reconcile(s, []).violations[0]?.kind).toBe('close-incomplete');
  });

  it('terminate takes busy connections too', () => {
    const s = terminated(acquired(initialState(config, asyncpgSemantics), 1, true));
    expect(reconcile(s, [{ id: 1, at: 0 }]).violations).toEqual([]);
  });

  it('never mutates the state it is given', () => {
    const s = useOnce(initialState(config, asyncpgSemantics), 1);
    const frozen = JSON.stringify(s);
    reconcile(slept(s, 5000), [{ id: 1, at: 5000 }]);
    closeBegan(s);
    acquired(s, 1, false);
    expect(JSON.stringify(s)).toBe(frozen);
  });
});

describe('reference model: periodic reaper', () => {
  const reaper = (over: Partial<ReaperExpiry> = {}): Semantics => ({
    ...asyncpgSemantics,
    armsOn: 'release',
    expiry: { kind: 'reaper', intervalMs: 1000, startsOn: 'pool-creation', compare: '>=', maxPerRun: null, ...over },
  });

  it('gives an idle connection a window from its lifetime to one interval later, with the reason', () => {
    const s = useOnce(slept(initialState(config, reaper()), 200), 1);
    expect(windowOf(s, s.conns[0]!)).toEqual({ from: 5200, to: 6200, cause: 'expiry', reason: 'reaper every 1000 ms, idle time >= lifetime' });
  });

  it('a strict comparison opens the window a millisecond later', () => {
    const s = useOnce(initialState(config, reaper({ compare: '>' })), 1);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 5001, to: 6001 });
  });

  it('a run that caps how many it looks at widens the window by a run per cap', () => {
    const s = useOnce(initialState({ ...config, maxSize: 7 }, reaper({ maxPerRun: 3 })), 1);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 5000, to: 8000 });
  });

  it('after a block, a capped reaper runs once on waking and needs its later runs for the rest', () => {
    const s = blocked(useOnce(initialState({ ...config, maxSize: 4, lifetimeMs: 1000 }, reaper({ maxPerRun: 3 })), 1), 3001);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 1000, to: 4001 });
  });

  it('accepts a destruction anywhere in the window and reports one outside it', () => {
    const s = slept(useOnce(initialState(config, reaper()), 1), 7000);
    expect(reconcile(s, [{ id: 1, at: 5700 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 4999 }]).violations[0]?.kind).toBe('expired-early');
    const [late] = reconcile(s, []).violations;
    expect(late?.message).toBe('connection #1, idle since 0 ms, outlived its 5000 ms lifetime by 1000 ms: still open at 7000 ms, due to close at 6000 ms (declared: reaper every 1000 ms, idle time >= lifetime)');
  });

  it('a reaper that starts on the first acquire expires nothing before it', () => {
    const s = poolCreated(initialState({ ...config, minSize: 1 }, { ...reaper({ startsOn: 'first-acquire' }), armsOn: 'release-and-create' }), [1]);
    expect(windowOf(s, s.conns[0]!)).toBeNull();
    const started = released(acquired(slept(s, 100), 1, false), 1);
    expect(started.reaperStartedAt).toBe(100);
    expect(windowOf(started, started.conns[0]!)).toMatchObject({ from: 5100, to: 6100 });
  });

  it('a floor keeps a connection from one run and lets the reaper look again on the next', () => {
    const sem: Semantics = { ...reaper(), min: 'floor' };
    let s = useOnce(initialState({ ...config, minSize: 1 }, sem), 1);
    s = slept(s, 6000);
    const held = reconcile(s, []);
    expect(held.violations).toEqual([]);
    expect(windowOf(held.state, held.state.conns[0]!)).toMatchObject({ from: 5000, to: 7000 });
    expect(reconcile(s, [{ id: 1, at: 5500 }]).violations[0]?.kind).toBe('floor-broken');
  });

  it('a floor with refill may destroy below the floor, then reopen up to it, and no further', () => {
    const sem: Semantics = { ...reaper(), min: 'floor-refill', armsOn: 'release-and-create' };
    const s = slept(useOnce(initialState({ ...config, minSize: 1 }, sem), 1), 5500);
    const r = reconcile(s, [{ id: 1, at: 5200 }], [{ id: 2, at: 5200 }]);
    expect(r.violations).toEqual([]);
    expect(expectedCounters(r.state)).toEqual({ idle: 1, size: 1, waiting: 0 });
    expect(windowOf(r.state, r.state.conns[1]!)).toMatchObject({ from: 10200, to: 11200 });
    expect(reconcile(s, [{ id: 1, at: 5200 }], [{ id: 2, at: 5200 }, { id: 3, at: 5200 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it('a pool that opens connections on its own, without a refill to declare, is reported', () => {
    const s = initialState(config, asyncpgSemantics);
    expect(reconcile(s, [], [{ id: 1, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });
});

describe('reference model: a close that waits for the last release', () => {
  it('keeps idle connections open until nothing is in use, then closes them together', () => {
    const sem: Semantics = { ...asyncpgSemantics, gracefulClose: 'after-last-release' };
    let s = acquired(acquired(initialState(config, sem), 1, true), 2, true);
    s = closeBegan(released(s, 1));
    expect(reconcile(slept(s, 50), []).violations).toEqual([]);
    s = released(slept(s, 50), 2);
    expect(s.phase).toBe('closed');
    expect(reconcile(s, [{ id: 1, at: 50 }, { id: 2, at: 50 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 2, at: 50 }]).violations[0]?.kind).toBe('close-incomplete');
  });
});

describe('reference model: waiters and faults', () => {
  const full = (timeout?: number): ModelState => {
    const c = timeout === undefined ? { ...config, maxSize: 1 } : { ...config, maxSize: 1, acquireTimeoutMs: timeout };
    return acquired(initialState(c, asyncpgSemantics), 1, true);
  };

  it('queues acquires at max, first in first out, and hands a release to the first waiter', () => {
    const { state, tickets } = acquiresIssued(full(), 2);
    expect(tickets).toEqual([1, 2]);
    expect(state.waiters.map((w) => w.ticket)).toEqual([1, 2]);
    expect(expectedCounters(state)).toEqual({ idle: 0, size: 1, waiting: 2 });
    const next = released(state, 1);
    expect(next.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [1], via: 'handoff' }]);
    expect(next.waiters.map((w) => w.ticket)).toEqual([2]);
    // Handed over, never idle: nothing armed its expiry.
    expect(next.conns[0]).toMatchObject({ state: 'busy', idleSince: null });
  });

  it('rejects a waiter when its timeout comes, on time after a sleep and at the wake after a block', () => {
    const { state } = acquiresIssued(full(100), 1);
    expect(slept(state, 99).answers).toEqual([]);
    expect(slept(state, 100).answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out' }]);
    expect(blocked(state, 250).answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out' }]);
  });

  it('serves a waiter with a new connection when its holder discards one, unless that connect fails', () => {
    const { state } = acquiresIssued(full(), 2);
    const served = discarded(state, 1);
    expect(served.conns[0]?.doomed).toEqual({ at: 0, cause: 'discarded' });
    expect(served.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    const failing = discarded(connectWillFail(state), 1);
    // The failed connect frees the capacity again: the next waiter gets the next connect.
    expect(failing.answers).toEqual([
      { ticket: 1, outcome: 'rejected', reason: 'connect failed' },
      { ticket: 2, outcome: 'served', candidates: [] },
    ]);
    expect(failing.failNext).toBe(false);
  });

  it('gives a broken idle connection a window of one instant, and never hands it out', () => {
    const s = brokeIdle(useOnce(initialState(config, asyncpgSemantics), 1), 1);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 0, to: 0, cause: 'broken' });
    expect(predictAcquire(s)).toEqual({ kind: 'create' });
    expect(reconcile({ ...s, now: 1 }, []).violations[0]?.kind).toBe('kept-broken');
  });

  it('rejects every waiter on close and on terminate', () => {
    const { state } = acquiresIssued(full(), 2);
    for (const next of [closeBegan(state), terminated(state)]) {
      expect(next.waiters).toEqual([]);
      expect(next.answers.map((a) => a.outcome === 'rejected' && a.reason)).toEqual(['closed', 'closed']);
    }
  });
});

describe('reference model: abort and validation', () => {
  const abortIdle: Semantics = { ...asyncpgSemantics, capabilities: { ...asyncpgSemantics.capabilities!, abort: { lateConnection: 'idle' } } };
  const abortClose: Semantics = { ...abortIdle, capabilities: { ...abortIdle.capabilities!, abort: { lateConnection: 'closed' } } };
  const busyOne = (semantics: Semantics): ModelState => acquired(initialState({ ...config, maxSize: 1 }, semantics), 1, true);

  it('rejects an aborted waiter at once and takes it out of the queue', () => {
    const { state } = acquiresIssued(busyOne(abortIdle), 2);
    const next = aborted(state, 1);
    expect(next.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'aborted' }]);
    expect(pendingTickets(next)).toEqual([2]);
    expect(released(next, 1).answers.at(-1)).toEqual({ ticket: 2, outcome: 'served', candidates: [1], via: 'handoff' });
  });

  it('lets a connect aborted in flight land for nobody: kept idle, or handed to the first waiter, or closed', () => {
    const start = connectWillTake(initialState({ ...config, maxSize: 1 }, abortIdle), 10);
    const { state } = acquiresIssued(start, 1);
    const landed = slept(aborted(state, 1), 10);
    // It began at idle seq 1, before anything else became idle: it lands before an expiry set later.
    expect(landed.orphans).toEqual([{ startedAt: 0, at: 10, due: 10, fate: 'idle', seq: 1, began: 1 }]);
    const kept = reconcile(landed, [], [{ id: 1, at: 10 }]).state;
    expect(kept.conns[0]).toMatchObject({ id: 1, state: 'idle', idleSince: 10, orphan: true });
    const waiting = acquiresIssued(aborted(state, 1), 1).state;
    expect(slept(waiting, 10).answers.at(-1)).toEqual({ ticket: 2, outcome: 'served', candidates: [] });
    const closing = slept(aborted(acquiresIssued(connectWillTake(initialState({ ...config, maxSize: 1 }, abortClose), 10), 1).state, 1), 10);
    const closed = reconcile(closing, [{ id: 1, at: 10 }], [{ id: 1, at: 10 }]);
    expect(closed.violations).toEqual([]);
    expect(reconcile(closing, [], [{ id: 1, at: 10 }]).violations[0]?.kind).toBe('kept-abandoned');
  });

  it('closes an idle connection that fails its check and serves the next one; a slow check holds the acquire', () => {
    const sync: Semantics = { ...asyncpgSemantics, validation: 'sync' };
    let s = initialState(config, sync);
    s = useOnce(useOnce(s, 1), 2);
    const { state } = acquiresIssued(validationWillFail(s), 1);
    // LIFO: #2 was released last, fails, and is doomed; the acquire gets #1.
    expect(state.conns.find((c) => c.id === 2)?.doomed).toEqual({ at: 0, cause: 'invalid' });
    expect(state.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [1], via: 'reuse' }]);
    expect(reconcile(state, []).violations[0]?.kind).toBe('kept-invalid');
    const slow = acquiresIssued(queryWillTake({ ...s, semantics: { ...s.semantics, validation: 'async' } }, 5), 1).state;
    expect(slow.answers).toEqual([]);
    expect(expectedCounters(slow)).toEqual({ idle: 1, size: 2, waiting: 0 });
    expect(slept(slow, 5).answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [2], via: 'reuse' }]);
  });
});

describe('reference model: a failed check retried under a min floor', () => {
  const floorAsync: Semantics = { ...floor, validation: 'async', capabilities: { ...asyncpgSemantics.capabilities!, abort: { lateConnection: 'idle' } } };
  const tight = { minSize: 2, maxSize: 2, lifetimeMs: 1 };

  it('retries on an orphan kept idle that the floor kept past its expiry, and then counts it once', () => {
    // Acquire #1 connects for 1 ms and is aborted; acquire #2 checks #1 for 3 ms, and the check fails.
    const connecting = acquiresIssued(connectWillTake(initialState(tight, floorAsync), 1), 1).state;
    const checking = acquiresIssued(validationWillFail(queryWillTake(released(acquired(connecting, 1, true), 1), 3)), 1).state;
    const next = slept(aborted(answersTaken(checking), 1), 3);
    // The orphan landed at 1 ms and came due at 2 ms with 2 open: the floor of 2 kept it, so the retry takes it.
    expect(next.answers.at(-1)).toEqual({ ticket: 2, outcome: 'served', candidates: [], via: 'reuse' });
    expect(next.orphans).toEqual([]);
    // Once #1 is gone and the orphan is learnt as #2, one of two is open: a new acquire gets a new connection.
    const learnt = reconcile(acquired(answersTaken(next), 2, true), [{ id: 1, at: 3 }]).state;
    expect(acquiresIssued(learnt, 1).state.answers).toEqual([{ ticket: 3, outcome: 'served', candidates: [] }]);
  });

  it('counts a connection served new earlier in the step when the floor decides an expiry before the retry', () => {
    const roomy = { ...tight, maxSize: 3 };
    // #2 idle, checked by acquire #1 for 2 ms (fails); acquire #2 connects for 1 ms; #3 released at 0 ms.
    let s = acquiresIssued(validationWillFail(queryWillTake(released(acquired(initialState(roomy, floorAsync), 2, true), 2), 2)), 1).state;
    s = acquiresIssued(connectWillTake(s, 1), 1).state;
    s = acquiresIssued(s, 1).state;
    s = released(answersTaken(acquired(s, 3, true)), 3);
    // At 1 ms acquire #2's connect lands and #3 comes due with three open: above the floor, #3 expires,
    // so the retry at 2 ms opens a new connection.
    expect(slept(s, 2).answers).toEqual([
      { ticket: 2, outcome: 'served', candidates: [] },
      { ticket: 1, outcome: 'served', candidates: [] },
    ]);
  });
});
