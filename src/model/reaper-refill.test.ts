import { describe, expect, it } from 'vitest';
import { asyncpgSemantics, connectWillTake, initialState, reconcile, slept, type ModelState, type Semantics } from './index.js';
import { poolCreated } from './transitions.js';

/*
 * A refill on reaper runs begins its connects at a run, whose instant the model only bounds. A
 * connect that takes the pending faults logs `connect-began`, and the model learns the instant
 * from it (`reconcile`'s `began`).
 */
const config = { minSize: 1, maxSize: 2, lifetimeMs: 100 };
const { min: _min, opensMinOnCreate: _opens, ...asyncpgWithoutMin } = asyncpgSemantics;
const reaperRefill: Semantics = {
  ...asyncpgWithoutMin,
  expiry: { kind: 'reaper', intervalMs: 1000, startsOn: 'pool-creation', compare: '>', maxPerRun: null },
  armsOn: 'release-and-create',
  minFloor: 'none',
  minRefill: ['on-reaper-run'],
  minOpens: 'on-create',
  capabilities: { ...asyncpgSemantics.capabilities, slowConnect: true },
};

/** Min opened at creation, a slow connect pending, then a sleep past the first run. */
function sleptPastRun(ms: number): ModelState {
  return slept(connectWillTake(poolCreated(initialState(config, reaperRefill), [1]), 50), ms);
}

describe('a refill on reaper runs with a slow connect', () => {
  it('is in flight from the run the connector says it began at, counted in size, and lands idle', () => {
    const s = sleptPastRun(1010);
    const learnt = reconcile(s, [{ id: 1, at: 1000 }], [], [{ id: 0, at: 1000 }]);
    expect(learnt.violations).toEqual([]);
    expect(learnt.state.connecting).toMatchObject([{ ticket: null, refill: true, startedAt: 1000, readyAt: 1050 }]);
    expect(learnt.state.connectDelay).toBe(0);
    // Landed within the same step: a connection opened for the min.
    const landed = reconcile(sleptPastRun(1060), [{ id: 1, at: 1000 }], [{ id: 2, at: 1050 }], [{ id: 0, at: 1000 }]);
    expect(landed.violations).toEqual([]);
    expect(landed.state.conns.find((c) => c.id === 2)).toMatchObject({ state: 'idle', createdAt: 1050 });
  });

  it('begun where no refill was due, it is a connection nobody asked for', () => {
    const s = sleptPastRun(500);
    expect(reconcile(s, [], [], [{ id: 0, at: 500 }]).violations[0]).toMatchObject({ kind: 'unexpected-create', message: expect.stringMatching(/^the pool began a connect at 500 ms, which no acquire asked for and no refill to the min of 1 called for/) as unknown });
  });

  it('not begun by one interval after the loss, the refill is missing', () => {
    const s = sleptPastRun(2010);
    expect(reconcile(s, [{ id: 1, at: 1000 }]).violations[0]?.kind).toBe('min-not-refilled');
  });
});

/*
 * A reaper run and a connect's failure at one instant (a blocked loop waking with both overdue):
 * whether the run's refill counted the connect in flight is told by the log's order.
 */
const expiryRefill: Semantics = { ...reaperRefill, minRefill: ['after-expiry'] };

describe("a reaper run's refill and a connect failing at its instant", () => {
  /** min 2: #1 idle, a refill's slow connect in flight that fails at 1000; #1 expires at the run at 1000. */
  function atRun(): ModelState {
    const created = poolCreated(initialState({ minSize: 2, maxSize: 2, lifetimeMs: 100 }, expiryRefill), [1]);
    const failing: ModelState = { ...created, connecting: [{ ticket: null, refill: true, order: 0, startedAt: 0, readyAt: 1000, fails: true, deadline: null, deadlineOrder: 0, abandonAt: null, abandonOrder: 0, abandonedAt: null, abandonedDue: null }], nextOrder: 1 };
    return slept(failing, 1000);
  }

  it('one logged after the run was in flight when it decided: the refill opens one fewer', () => {
    const s = atRun();
    expect(reconcile(s, [{ id: 1, at: 1000, failuresAfter: 1 }], [{ id: 2, at: 1000 }]).violations).toEqual([]);
  });

  it('one logged before had failed: the refill makes up the whole shortfall', () => {
    const s = atRun();
    expect(reconcile(s, [{ id: 1, at: 1000 }], [{ id: 2, at: 1000 }]).violations[0]?.kind).toBe('min-not-refilled');
    expect(reconcile(s, [{ id: 1, at: 1000 }], [{ id: 2, at: 1000 }, { id: 3, at: 1000 }]).violations).toEqual([]);
  });
});

describe('a connect counted when a refill was decided that fails later in the step', () => {
  it('leaves the refill short by it: it is not tried again for the min', () => {
    const created = poolCreated(initialState({ minSize: 2, maxSize: 2, lifetimeMs: 100 }, expiryRefill), [1]);
    const failing: ModelState = { ...created, connecting: [{ ticket: null, refill: true, order: 0, startedAt: 0, readyAt: 1001, fails: true, deadline: null, deadlineOrder: 0, abandonAt: null, abandonOrder: 0, abandonedAt: null, abandonedDue: null }], nextOrder: 1 };
    const s = slept(failing, 1001);
    // The run at 1000 counted it in flight and opened one; it failed at 1001.
    expect(reconcile(s, [{ id: 1, at: 1000 }], [{ id: 2, at: 1000 }]).violations).toEqual([]);
    // Opening none at the run is still a refill missing.
    expect(reconcile(s, [{ id: 1, at: 1000 }]).violations[0]?.kind).toBe('min-not-refilled');
  });
});
