import { describe, expect, it } from 'vitest';
import { acquired, acquiresIssued, asyncpgSemantics, connectWillFail, discarded, initialState, reconcile, type ModelState, type Semantics } from './index.js';
import { answersTaken } from './answers.js';
import { connectFailedFor } from './transitions.js';

const { min: _min, opensMinOnCreate: _opens, ...asyncpgWithoutMin } = asyncpgSemantics;
const atDiscard: Semantics = { ...asyncpgWithoutMin, minFloor: 'none', minRefill: ['after-discard'], minOpens: 'never' };
const whenClosed: Semantics = { ...atDiscard, discardRefill: 'when-closed' };

/**
 * #1 and #2 in use at max 2, min 2, and a waiter: #1 is discarded, and the connect its capacity
 * starts for the waiter is refused at once, in the same stretch as the discard.
 */
function discardThenRefused(semantics: Semantics, byIo: boolean): ModelState {
  let s = initialState({ minSize: 2, maxSize: 2, lifetimeMs: 5000 }, semantics);
  if (byIo) s = { ...s, connectsLandByIo: true };
  s = acquired(acquired(s, 1, true), 2, true);
  s = answersTaken(acquiresIssued(s, 1).state);
  s = discarded(connectWillFail(s), 1);
  expect(s.answers).toMatchObject([{ outcome: 'rejected', reason: 'connect failed' }]);
  return connectFailedFor(answersTaken(s), s.answers[0]!.ticket);
}

describe('a refill after a discard decided once the close has completed', () => {
  it('at the discard the refused connect was in flight, and counts: nothing more is owed', () => {
    const s = discardThenRefused(atDiscard, true);
    expect(reconcile(s, [{ id: 1, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 3, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it('on a server the close completes by I/O, after the refusal: the refill owes one more', () => {
    const s = discardThenRefused(whenClosed, true);
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 3, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 0 }]).violations[0]).toMatchObject({ kind: 'min-not-refilled', message: expect.stringMatching(/after connection #1 was discarded at 0 ms the pool had 1 connection\(s\) open, below its min of 2/) as unknown });
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 3, at: 0 }, { id: 4, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });

  it('in process the close and the refusal both complete within microtasks: either order is right', () => {
    const s = discardThenRefused(whenClosed, false);
    expect(reconcile(s, [{ id: 1, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 3, at: 0 }]).violations).toEqual([]);
    expect(reconcile(s, [{ id: 1, at: 0 }], [{ id: 3, at: 0 }, { id: 4, at: 0 }]).violations[0]?.kind).toBe('unexpected-create');
  });
});
