import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, blocked, connectWillTake, initialState, queryWillTake, slept, type ModelState, type Semantics } from './index.js';
import { answersTaken } from './answers.js';
import type { Capabilities } from './semantics.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
// generic-pool's shape with testOnBorrow: connects and checks serve the queue head, and a check is a query.
const servesHead: Semantics = {
  ...asyncpgSemantics,
  reuse: 'fifo',
  validation: { check: 'async', alsoChecks: ['released', 'opened'], serves: 'queue-head' },
  capabilities: { ...caps, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'kept', connectServes: 'queue-head', failedValidation: true },
};
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };
const issue = (s: ModelState, n: number): ModelState => answersTaken(acquiresIssued(s, n).state);

describe('the check of a new connection landing as a blocked loop wakes', () => {
  it('is answered after the overdue timers: the waiter whose timeout came due during the block is rejected first', () => {
    let s = issue(connectWillTake(initialState(config, servesHead), 1), 1);
    s = blocked(s, 1_000);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'rejected', reason: 'timed out' }]);
    // The connection passed its check after the timeout, for nobody: idle, named by the log.
    expect(s.landedUnasked).toEqual([{ at: 1_000, fate: 'idle', seq: 1 }]);
  });

  it('within an async sleep, serves the waiter as it lands', () => {
    const s = slept(issue(connectWillTake(initialState(config, servesHead), 1), 1), 1);
    expect(s.answers).toEqual([{ ticket: 1, outcome: 'served', candidates: [] }]);
  });

  it('replies in the order the landings fired, by due time, not in the order the connects began', () => {
    let s = issue(connectWillTake(initialState(config, servesHead), 1_001), 1);
    s = issue(connectWillTake({ ...s, now: 999 }, 1), 2);
    s = blocked(s, 1_000);
    expect(s.answers.map((a) => a.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    // The connect begun at 999 ms, due at 1000 ms, landed first and ranks first for reuse.
    expect(s.landedUnasked.map((l) => l.seq)).toEqual([1, 2]);
    expect(s.failedConnects.filter((f) => f.stays === true).map((f) => f.startedAt)).toEqual([999, 0]);
  });
});

describe('a slow check and a slow connect answered by I/O at one wake (a real server)', () => {
  // Acquire #1's connect is slowed to 2 ms, its timer set first; #2's connects at once and its
  // check's query is slowed to 1 ms. Both timers are overdue when the loop wakes at 2 ms.
  const wake = (byIo: boolean): ModelState => {
    const base = initialState({ minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1 }, { ...servesHead, capabilities: { ...servesHead.capabilities, slowQuery: true } });
    const s = issue(connectWillTake(byIo ? { ...base, connectsLandByIo: true as const } : base, 2), 1);
    return blocked(issue(queryWillTake(s, 1), 1), 2);
  };
  it('on pg-mem, the connect lands in its timer, ahead of the check\'s reply after the overdue timers', () => {
    expect(wake(false).landedUnasked.map((l) => [l.at, l.seq])).toEqual([[0, 2], [2, 1]]);
  });
  it('by I/O, each begins as its timer fires: the check, due first, answers first, and ranks first for reuse', () => {
    const s = wake(true);
    expect(s.answers.map((a) => a.outcome)).toEqual(['rejected', 'rejected']);
    expect(s.landedUnasked.map((l) => [l.at, l.seq])).toEqual([[0, 1], [2, 2]]);
  });
});
