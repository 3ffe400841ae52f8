import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, connectWillTake, initialState, released, validationWillFail, type Semantics } from './index.js';
import type { Capabilities } from './semantics.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
// A sync check with connects serving the queue head, one connect per look at the queue (sequelize-pool).
const checked: Semantics = {
  ...asyncpgSemantics,
  validation: { check: 'sync', alsoChecks: ['released'] },
  capabilities: { ...caps, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', connectServes: 'queue-head', queueConnects: 'one-per-dispense', failedValidation: true },
};
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };

describe('a sync validation with connects serving the queue head', () => {
  it('with no capacity for a second connect, the waiter keeps the deadline set by its acquire', () => {
    let s = acquiresIssued(initialState({ ...config, maxSize: 1 }, checked), 1).state;
    s = { ...s, answers: [], servedNew: [], conns: [{ id: 1, state: 'busy', createdAt: 0, idleSince: null, idleSeq: 0, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined }] };
    s = acquiresIssued({ ...s, now: 100 }, 1).state;
    s = released(validationWillFail(connectWillTake({ ...s, now: 400 }, 300)), 1);
    // The failed connection is closed, and the connect started for the head is in flight for nobody.
    expect(s.conns.find((c) => c.id === 1)?.doomed?.cause).toBe('invalid');
    expect(s.connecting.map((c) => c.ticket)).toEqual([null]);
    expect(s.answers).toEqual([]);
    expect(s.waiters.map((w) => w.deadline)).toEqual([1_100]);
  });
});
