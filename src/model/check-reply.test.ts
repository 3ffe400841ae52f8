import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, blocked, connectWillTake, initialState, slept, type ModelState, type Semantics } from './index.js';
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
