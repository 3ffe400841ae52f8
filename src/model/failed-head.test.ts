import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, blocked, connectWillFail, connectWillTake, initialState, released, validationWillFail, type Semantics } from './index.js';
import type { Capabilities } from './semantics.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
// sequelize-pool's shape: connects serve the queue head, one connect per look, a failed connect
// rejects the head, and a sync check of idle and handed-over connections.
const dispensing: Semantics = {
  ...asyncpgSemantics,
  validation: { check: 'sync', alsoChecks: ['released'] },
  capabilities: { ...caps, failedConnect: true, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', connectServes: 'queue-head', queueConnects: 'one-per-dispense', failedValidation: true },
};
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };
const start = (byIo: boolean, over: Partial<typeof config> = {}) => {
  const base = initialState({ ...config, ...over }, dispensing);
  return byIo ? { ...base, connectsLandByIo: true as const } : base;
};
const busy = (id: number) => ({ id, state: 'busy' as const, createdAt: 0, idleSince: null, idleSeq: 0, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined });

describe('a failed connect, where connects serve the queue head and each look starts one', () => {
  it('rejects the head of the queue; the next acquire of the burst is served by its own connect', () => {
    const s = acquiresIssued(connectWillFail(start(false)), 2).state;
    expect(s.answers).toEqual([
      { ticket: 1, outcome: 'rejected', reason: 'connect failed', tookSlot: true },
      { ticket: 2, outcome: 'served', candidates: [] },
    ]);
    expect(s.connecting).toEqual([]);
    expect(s.landedUnasked).toEqual([]);
  });

  it('at max, holds its slot until the stretch is over, then its look serves the acquire behind', () => {
    const s = acquiresIssued(connectWillFail(start(false, { maxSize: 1 })), 2).state;
    expect(s.answers.map((a) => [a.ticket, a.outcome])).toEqual([[1, 'rejected'], [2, 'served']]);
  });

  it('on a real server, the look after the failure finds the next acquire still waiting: a second connect lands idle', () => {
    const s = acquiresIssued(connectWillFail(start(true)), 2).state;
    expect(s.answers.map((a) => [a.ticket, a.outcome])).toEqual([[1, 'rejected'], [2, 'served']]);
    expect(s.landedUnasked).toEqual([{ at: 0, fate: 'idle', seq: 1 }]);
  });

  it('a slow connect that fails rejects whoever heads the queue then', () => {
    let s = acquiresIssued(connectWillFail(connectWillTake(start(false), 300)), 1).state;
    expect(s.answers).toEqual([]);
    s = blocked(s, 300);
    expect(s.answers.map((a) => [a.ticket, a.outcome, a.outcome === 'rejected' ? a.reason : null])).toEqual([[1, 'rejected', 'connect failed']]);
  });

  it('on a real server, a connect started as a blocked loop wakes lands after the timers of that instant', () => {
    // #1's slow connect fails at 1 ms; #2 and #3 wait at max 1 and time out at 2 ms. The failure's
    // look fails again at once (rejecting #2), and the next look's connect lands by I/O, after #3's timeout.
    const run = (byIo: boolean) => {
      let s = acquiresIssued(connectWillFail(connectWillTake(start(byIo, { maxSize: 1, acquireTimeoutMs: 2 }), 1)), 1).state;
      s = acquiresIssued(connectWillFail(s), 2).state;
      return blocked(s, 2);
    };
    expect(run(false).answers.map((a) => [a.ticket, a.outcome])).toEqual([[1, 'rejected'], [2, 'rejected'], [3, 'served']]);
    const real = run(true);
    expect(real.answers.map((a) => [a.ticket, a.outcome, a.outcome === 'rejected' ? a.reason : null])).toEqual([[1, 'rejected', 'connect failed'], [2, 'rejected', 'connect failed'], [3, 'rejected', 'timed out']]);
    expect(real.landedUnasked).toEqual([{ at: 2, fate: 'idle', seq: 1 }]);
  });
});

describe('a failed check, where connects serve the queue head and each look starts one', () => {
  const failedCheck = (byIo: boolean) => {
    let s = acquiresIssued(start(byIo), 1).state;
    s = { ...s, answers: [], servedNew: [], conns: [busy(1)] };
    s = acquiresIssued({ ...s, conns: [{ ...busy(1), state: 'idle', idleSince: 0, idleSeq: 1 }] }, 0).state;
    return acquiresIssued(validationWillFail(s), 1).state;
  };
  it('the create for the head lands before the close\'s look on pg-mem: one connect', () => {
    const s = failedCheck(false);
    expect(s.answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [] }]);
    expect(s.landedUnasked).toEqual([]);
  });

  it('on a real server the close\'s look finds the head still waiting: a second connect lands idle', () => {
    const s = failedCheck(true);
    expect(s.answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [] }]);
    expect(s.landedUnasked).toEqual([{ at: 0, fate: 'idle', seq: 1 }]);
  });

  it('on a real server, below min, the refill\'s connects and the look\'s are all in flight for the queue, none served at once', () => {
    // A floor on size, refilled after a discard (sequelize-pool's `_ensureMinimum` in `destroy()`).
    const { min: _min, ...fields } = dispensing;
    const refilling: Semantics = { ...fields, minFloor: 'size', minRefill: ['after-discard'] };
    let s = acquiresIssued({ ...initialState({ ...config, minSize: 3, maxSize: 4 }, refilling), connectsLandByIo: true as const }, 1).state;
    s = { ...s, answers: [], servedNew: [], conns: [{ ...busy(1), state: 'idle', idleSince: 0, idleSeq: 1 }] };
    s = acquiresIssued(validationWillFail(s), 1).state;
    // The head's connect, two for the refill to min 3, and the look's: the first serves #2.
    expect(s.answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [] }]);
    expect(s.landedUnasked.map((l) => l.fate)).toEqual(['idle', 'idle', 'idle']);
  });

  it('the same for a connection released to a waiter', () => {
    let s = acquiresIssued(start(true, { maxSize: 1 }), 1).state;
    s = { ...s, answers: [], servedNew: [], conns: [busy(1)] };
    s = acquiresIssued(s, 1).state;
    s = released(validationWillFail(s), 1);
    // At max 1 there is no capacity for the second look's connect: only the head's lands.
    expect(s.answers).toEqual([{ ticket: 2, outcome: 'served', candidates: [] }]);
    expect(s.landedUnasked).toEqual([]);
  });
});
