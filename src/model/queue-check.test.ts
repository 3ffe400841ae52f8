import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, initialState, queryWillTake, released, slept, validationWillFail, type ModelState, type Semantics } from './index.js';
import { answersTaken } from './answers.js';
import { poolCreated } from './transitions.js';
import type { Capabilities } from './semantics.js';
import { UNNAMED } from './fresh-check.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
// generic-pool's shape with testOnBorrow: connects and checks serve the queue head, and a failed
// check refills the min before the pool looks at its queue.
const servesHead: Semantics = {
  ...asyncpgSemantics,
  expiry: { kind: 'timer' },
  minRefill: ['after-discard'],
  minFloor: 'none',
  reuse: 'fifo',
  validation: { check: 'async', alsoChecks: ['released', 'opened'], serves: 'queue-head' },
  capabilities: { ...caps, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'kept', connectServes: 'queue-head', failedValidation: true },
};
const config = { minSize: 0, maxSize: 3, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };
/** A pool whose min opened `ids` idle at creation. */
const withIdle = (ids: readonly number[], over: Partial<typeof config> = {}): ModelState => poolCreated(initialState({ ...config, minSize: ids.length, ...over }, servesHead), ids);
const issue = (s: ModelState, n: number): ModelState => answersTaken(acquiresIssued(s, n).state);

describe('a slow check that serves the queue head', () => {
  it('keeps its acquire queued; at max, the next acquire waits for it too', () => {
    let s = issue(queryWillTake(withIdle([1], { maxSize: 1 }), 100), 1);
    expect(s.waiters.map((w) => w.ticket)).toEqual([1]);
    expect(s.validating).toMatchObject([{ ticket: null, forQueue: true, id: 1, readyAt: 100 }]);
    s = acquiresIssued(s, 1).state;
    expect(s.answers).toEqual([]);
    expect(s.waiters.map((w) => w.ticket)).toEqual([1, 2]);
  });

  it('counts against the queue: the next acquire opens one connection for its own shortfall, which serves the head', () => {
    let s = issue(queryWillTake(withIdle([1]), 100), 1);
    s = acquiresIssued(s, 1).state;
    // The connection opened for the queue passes its quick check and goes to acquire #1; #2 waits for the slow check.
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    expect(s.waiters.map((w) => w.ticket)).toEqual([2]);
    s = slept(answersTaken(s), 100);
    expect(s.answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [1], via: 'reuse' }]);
  });

  it('goes, when it passes, to whoever heads the queue then', () => {
    let s = issue(queryWillTake(withIdle([1]), 100), 1);
    s = slept(s, 100);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [1], via: 'reuse' }]);
    expect(s.waiters).toEqual([]);
  });

  it('goes back to idle, with no look at the queue, when every acquire behind it timed out', () => {
    let s = issue(queryWillTake(withIdle([1], { acquireTimeoutMs: 50 }), 100), 1);
    s = slept(s, 100);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out' }]);
    expect(s.conns.find((c) => c.id === 1)).toMatchObject({ state: 'idle', idleSince: 100 });
  });

  it('in a burst, a quick check that passes serves the first acquire, and the last waits for the slow one', () => {
    const s = acquiresIssued(queryWillTake(withIdle([1, 2]), 100), 2, [1, 2]).state;
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [2], via: 'reuse' }]);
    expect(s.waiters.map((w) => w.ticket)).toEqual([2]);
    expect(s.validating.map((v) => v.id)).toEqual([1]);
  });

  it('when it fails, closes its connection and the look after it checks the next idle one for the head', () => {
    let s = issue(validationWillFail(queryWillTake(withIdle([1]), 100)), 1);
    // Released while the check is in flight: the waiter is the check's, so the connection stays idle.
    s = answersTaken(issue(s, 0));
    s = { ...s, conns: [...s.conns, { id: 2, state: 'busy', createdAt: 0, idleSince: null, idleSeq: 0, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined }] };
    s = released({ ...s, now: 10 }, 2);
    expect(s.answers).toEqual([]);
    expect(s.conns.find((c) => c.id === 2)?.state).toBe('idle');
    s = slept(s, 90);
    expect(s.conns.find((c) => c.id === 1)?.doomed?.cause).toBe('invalid');
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [2], via: 'reuse' }]);
  });

  it('of a connection just opened, is in flight for the queue until the log names its connection', () => {
    let s = issue(queryWillTake(initialState(config, servesHead), 100), 1);
    expect(s.validating).toMatchObject([{ ticket: null, forQueue: true, id: UNNAMED, fresh: { startedAt: 0 } }]);
    expect(s.landedUnasked).toEqual([{ at: 0, fate: 'checking', check: s.validating[0]?.order }]);
    expect(s.waiters.map((w) => w.ticket)).toEqual([1]);
    // Answered in the same step, it serves the head with the new connection, learnt from the call.
    s = slept(s, 100);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
    expect(s.landedUnasked).toEqual([]);
  });
});
