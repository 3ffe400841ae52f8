import * as tarn from 'tarn';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as createErrorRejectsStarter } from '../fixtures/mutants/create-error-rejects-starter.js';
import { tarnAdapter, tarnSemantics } from '../src/adapters/tarn.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { capabilitiesOf } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught, expectCaughtAmong } from './support/caught.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * A failed connect that rejects the head of the queue and is still retried later
 * (`failedConnect: { retry: { afterMs }, rejectsHead: true }`): tarn with `propagateCreateError`.
 * `_doCreate`'s catch rejects `pendingAcquires[0]` and arms the retry timer (Pool.js:372-394).
 */

const SEEDS = [1, 2, 3, 4, 5];
// The longest counterexample the broken pool shrinks to on these seeds.
const SHORT = 5;
const propagating = (validation = false): PoolAdapter => tarnAdapter({ Pool: tarn.Pool, validation, options: { propagateCreateError: true } }) as PoolAdapter;
const config = (maxSize: number) => ({ minSize: 0, maxSize, lifetimeMs: 60_000, acquireTimeoutMs: 1000 });

describe('tarn with propagateCreateError: true', () => {
  it('declares a failed create that rejects the head and is retried 200 ms later', () => {
    expect(capabilitiesOf(propagating().semantics).failedConnect).toEqual({ retry: { afterMs: 200 }, perLook: 'one', connectTimeoutMs: 30_000, rejectsHead: true });
  });

  it.each(PASS_SEEDS)('passes, seed %i', async (seed) => {
    const result = await check({ adapter: propagating(), seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each(PASS_SEEDS)('passes with its validation on, seed %i', async (seed) => {
    const result = await check({ adapter: propagating(true), seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});

/*
 * What the rule rests on, each a shrunk trace the model once got wrong. In a burst, connects that
 * land at once are seen before the failure: the create's error reaches `_doCreate`'s catch through
 * more microtasks than a resource reaches `_tryAcquireOrCreate`. And the rejected head leaves
 * `pendingAcquires` only some microtasks after its rejection (Pool.js:119-128): a connection that
 * lands in between is paired with it (`_doAcquire`) and serves nobody.
 */
describe('a failed create that rejects the head of the queue, replayed on tarn', () => {
  it('rejects whoever heads the queue once the burst\'s other creates have served theirs', async () => {
    const run = await replay(propagating(), config(2), [{ op: 'failNextConnect' }, { op: 'burst', count: 2 }]);
    expect(run.violation, run.violation?.message).toBeNull();
    expect(run.trace.find((t) => t.command.startsWith('burst'))?.predicted).toMatch(/^#1 gets a new connection, #2 rejected \(connect failed\)/);
  });

  it('a create landing while the rejected head is still queued serves nobody: the next acquire waits for the retry, which hands it the idle connection', async () => {
    const run = await replay(propagating(), config(3), [{ op: 'failNextConnect' }, { op: 'burst', count: 4 }, { op: 'sleep', ms: 199 }, { op: 'sleep', ms: 1 }]);
    expect(run.violation, run.violation?.message).toBeNull();
    const [burst, before, at] = run.trace.filter((t) => /^(burst|sleep)/.test(t.command));
    expect(burst?.predicted).toMatch(/#3 rejected \(connect failed\); idle=1 size=3 waiting=1$/);
    expect(before?.predicted).toMatch(/idle=1 size=3 waiting=1$/);
    expect(at?.predicted).toMatch(/#4 gets #3; idle=0 size=3 waiting=0$/);
    // Its lifetime over before the retry, the idle connection is still there for it: no reaper
    // run came (the log shows no close), though the pool checks nothing that would say so.
    const expired = await replay(propagating(), { ...config(3), lifetimeMs: 1 }, [{ op: 'failNextConnect' }, { op: 'burst', count: 4 }, { op: 'sleep', ms: 200 }]);
    expect(expired.violation, expired.violation?.message).toBeNull();
    expect(expired.trace.find((t) => t.command.startsWith('sleep'))?.predicted).toMatch(/#4 gets #3; idle=0 size=3 waiting=0$/);
  });

  it('an acquire beside that idle connection hands it to the waiting head, and waits itself', async () => {
    const run = await replay(propagating(), config(3), [{ op: 'failNextConnect' }, { op: 'burst', count: 4 }, { op: 'acquire' }]);
    expect(run.violation, run.violation?.message).toBeNull();
    expect(run.trace.find((t) => t.command === 'acquire()')?.predicted).toMatch(/^#4 gets #3; idle=0 size=3 waiting=1$/);
  });

  it('a slow create landing later serves the head, and its look hands that idle connection on to the next', async () => {
    const run = await replay(propagating(), { minSize: 2, maxSize: 5, lifetimeMs: 1000, acquireTimeoutMs: 2 }, [
      { op: 'acquire' }, { op: 'slowNextConnect', ms: 3 }, { op: 'acquire' }, { op: 'failNextConnect' }, { op: 'sleep', ms: 2 },
      { op: 'acquire' }, { op: 'burst', count: 4 }, { op: 'sleep', ms: 1 },
    ]);
    expect(run.violation, run.violation?.message).toBeNull();
    expect(run.trace.find((t) => t.command === 'sleep(1)')?.predicted).toMatch(/^#6 gets a new connection, #7 gets #\d; idle=0 size=5 waiting=0$/);
  });

  it('a release hands its connection to the head, and that idle connection on to the next', async () => {
    const run = await replay(propagating(), config(3), [{ op: 'failNextConnect' }, { op: 'burst', count: 5 }, { op: 'release', connection: 1 }]);
    expect(run.violation, run.violation?.message).toBeNull();
    expect(run.trace.find((t) => t.command === 'release(#1)')?.predicted).toMatch(/^#4 gets #1, #5 gets #3; idle=0 size=3 waiting=0$/);
  });

  it('with its validation on, that landing\'s check is aborted and the connection closed; a head out of the queue under a failing check is not the one rejected', async () => {
    const closed = await replay(propagating(true), config(3), [{ op: 'failNextConnect' }, { op: 'burst', count: 3 }]);
    expect(closed.violation, closed.violation?.message).toBeNull();
    // Three creates for the two acquires served, the third closed within the burst.
    expect((closed.timeline?.events ?? []).filter((e) => e.type === 'create')).toHaveLength(3);
    expect(closed.trace.find((t) => t.command.startsWith('burst'))?.observed).toMatch(/#3 rejected; idle=0 size=2 waiting=0$/);
    const requeued = await replay(propagating(true), config(3), [{ op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'burst', count: 3 }, { op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }]);
    expect(requeued.violation, requeued.violation?.message).toBeNull();
    expect(requeued.trace.find((t) => t.command.startsWith('burst'))?.predicted).toMatch(/#3 rejected \(connect failed\)/);
  });

  it('rejects nobody once the pool is closing', async () => {
    const run = await replay(propagating(true), { minSize: 2, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 1000 }, [
      { op: 'blockingSleep', ms: 1, acquireOnWake: true, phase: 'timers' },
      { op: 'slowNextConnect', ms: 1 },
      { op: 'failNextConnect' },
      { op: 'acquire' },
    ]);
    expect(run.violation, run.violation?.message).toBeNull();
  });
});

describe('a pool that rejects the wrong acquire, or is declared wrongly', () => {
  it.each(SEEDS)('create-error-rejects-starter.ts: a failed create rejecting the acquire that started it is caught, seed %i', async (seed) => {
    const result = await check({ adapter: createErrorRejectsStarter as PoolAdapter, seed });
    const failure = expectCaughtAmong(result, ['not-settled', 'acquire-not-rejected', 'waiter-not-served']);
    expect(failure.length, formatResult(result)).toBeLessThanOrEqual(SHORT);
    expect(failure.steps.some((s) => /failNextConnect/.test(s.command)), formatResult(result)).toBe(true);
  });

  it('declared as tarn\'s default, tarn with propagateCreateError fails: the acquire is rejected where the model keeps it waiting', async () => {
    const result = await check({ adapter: tarnAdapter({ Pool: tarn.Pool, options: { propagateCreateError: true }, semantics: tarnSemantics() }) as PoolAdapter, seed: 2026, shrink: false });
    expectCaught(result, 'waiter-answered-early', /^acquire #\d+ should still be waiting \(.*\), but it was rejected: Error: poolcheck pg-mem connector: connect failed/);
  });
});
