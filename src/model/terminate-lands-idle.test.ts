import { describe, expect, it } from 'vitest';
import { acquiresIssued, asyncpgSemantics, connectWillTake, expectedCounters, initialState, slept, type Semantics } from './index.js';
import type { Capabilities } from './semantics.js';
import { landedWhileClosing, terminated } from './transitions.js';
import { windowOf } from './windows.js';

const caps = asyncpgSemantics.capabilities as Capabilities;
const landsIdle: Semantics = { ...asyncpgSemantics, capabilities: { ...caps, slowConnect: true, acquireTimeoutCovers: 'wait-and-connect', connectServes: 'queue-head', terminateRejectsWaiters: true, terminateDuringConnect: 'lands-idle' } };
const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: 1_000 };

describe("terminate with connects that serve the queue head in flight (terminateDuringConnect: 'lands-idle')", () => {
  // #1 holds connection #1; #2 waits in the queue for a connect that lands at 300 ms.
  const start = () => {
    let s = acquiresIssued(initialState(config, landsIdle), 1).state;
    s = { ...s, answers: [], servedNew: [], connecting: [], conns: [{ id: 1, state: 'busy', createdAt: 0, idleSince: null, idleSeq: 0, kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined }] };
    return acquiresIssued(connectWillTake(s, 300), 1).state;
  };

  it('keeps the waiter until the last landing, and takes the connection in use back idle', () => {
    const s = terminated(start());
    expect(s.waiters.map((w) => w.ticket)).toEqual([2]);
    expect(s.closedAt).toBeNull();
    expect(expectedCounters(s)).toEqual({ idle: 1, size: 2, waiting: 1 });
    // Until the last landing, the connection may close at any time.
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 0, to: Infinity, cause: 'close' });
  });

  it('rejects the waiter as the connect lands, and closes everything by then', () => {
    const s = landedWhileClosing(slept(terminated(start()), 300));
    expect(s.answers.at(-1)).toEqual({ ticket: 2, outcome: 'rejected', reason: 'closed' });
    expect(s.closedAt).toBe(300);
    expect(windowOf(s, s.conns[0]!)).toMatchObject({ from: 0, to: 300, cause: 'close' });
    expect(s.landedUnasked).toEqual([{ at: 300, fate: 'idle', seq: 2 }]);
  });

  it('other values close everything and reject the waiters at the terminate, as before', () => {
    const s = terminated({ ...start(), semantics: { ...landsIdle, capabilities: { ...landsIdle.capabilities!, connectServes: 'its-acquire', terminateDuringConnect: 'rejects-on-landing' } } });
    expect(s.closedAt).toBe(0);
    expect(s.answers.map((a) => a.ticket)).toContain(2);
  });
});
