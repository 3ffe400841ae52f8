import { describe, expect, it } from 'vitest';
import { aborted, acquiresIssued, asyncpgSemantics, expectedCounters, initialState, queryWillTake, slept, validationWillFail, type ModelConn, type ModelState, type Semantics } from './index.js';
import type { Capabilities } from './semantics.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
// An async check that takes the head acquire, connects serving the queue head (tarn's shape).
const headCheck: Semantics = {
  ...asyncpgSemantics,
  validation: { check: 'async', alsoChecks: ['released', 'opened'] },
  capabilities: { ...caps, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', connectServes: 'queue-head', failedValidation: true, slowQuery: true, lateCheck: 'closed', abort: { lateConnection: 'idle', lateCheck: 'closed' } },
};
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };

function idle(id: number, seq: number): ModelConn {
  return { id, state: 'idle', createdAt: 0, idleSince: 0, idleSeq: seq, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined };
}

/** A pool at 100 ms with connections #1 and #2 idle (#2 released last). */
function twoIdle(): ModelState {
  return { ...initialState(config, headCheck), now: 100, conns: [idle(1, 1), idle(2, 2)], nextIdleSeq: 3 };
}

describe('a slow check that takes the head acquire', () => {
  it('holds its acquire out of the queue and its connection in size while it is in flight', () => {
    const s = acquiresIssued(queryWillTake(twoIdle(), 50), 1).state;
    expect(s.answers).toEqual([]);
    expect(s.validating.map((v) => [v.ticket, v.id])).toEqual([[1, 2]]);
    expect(expectedCounters(s)).toEqual({ idle: 1, size: 2, waiting: 0 });
  });

  it('that fails puts its acquire back at the head, its deadline kept, and the look from a zero-delay timer hands it the next idle one', () => {
    let s = acquiresIssued(validationWillFail(queryWillTake(twoIdle(), 50)), 1).state;
    s = slept(s, 50);
    expect(s.conns.find((c) => c.id === 2)?.doomed?.cause).toBe('invalid');
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [1], via: 'reuse' }]);
    expect(s.retryTimers).toBeUndefined();
  });

  it('that fails with nothing idle leaves its acquire waiting at the head with the deadline of its call', () => {
    const one: ModelState = { ...initialState({ ...config, maxSize: 1 }, headCheck), now: 100, conns: [idle(1, 1)], nextIdleSeq: 2 };
    let s = acquiresIssued(validationWillFail(queryWillTake(one, 50)), 1).state;
    s = acquiresIssued(s, 1).state;
    expect(s.waiters.map((w) => w.ticket)).toEqual([2]);
    s = slept(s, 50);
    // The look starts a connect for the head, #1, which lands at once and serves it.
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    expect(s.waiters.map((w) => [w.ticket, w.deadline])).toEqual([[2, 1_100]]);
  });

  it('cut short by its acquire\'s abort closes the connection at once', () => {
    let s = acquiresIssued(queryWillTake(twoIdle(), 50), 1).state;
    s = aborted(s, 1);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'aborted' }]);
    expect(s.conns.find((c) => c.id === 2)?.doomed).toEqual({ at: 100, cause: 'check-aborted' });
    expect(s.validating).toEqual([]);
  });

  it('cut short by its acquire\'s deadline closes the connection then', () => {
    let s = acquiresIssued(queryWillTake(twoIdle(), 5_000), 1).state;
    s = slept(s, 1_000);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out' }]);
    expect(s.conns.find((c) => c.id === 2)?.doomed).toEqual({ at: 1_100, cause: 'check-timed-out' });
  });
});
