import { afterEach, describe, expect, it } from 'vitest';
import { adapter as pollEarly } from '../fixtures/mutants/poll-early.js';
import { adapter as pollLate } from '../fixtures/mutants/poll-late.js';
import { adapter as pollLeftRunning } from '../fixtures/mutants/poll-left-running.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { ViolationKind } from '../src/model/violation.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';
import { claiming } from './support/wrong-declarations.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * An acquire timeout the pool polls for, every N ms, rather than a timer per waiter: a waiter is
 * rejected within a window, from its deadline to the first poll after it. The own pool's
 * `acquireTimeoutPollMs` polls; broken polls and wrong declarations must fail, and say why.
 */

const SEEDS = [1, 2, 3, 4, 5];

describe('an acquire timeout polled every N ms', () => {
  it.each(PASS_SEEDS)('the own pool polling every 25 ms, declared so, passes with seed %i', async (seed) => {
    const adapter = ownPoolAdapter({ acquireTimeoutPollMs: 25 });
    expect(adapter.semantics.capabilities?.acquireTimeoutCheck).toEqual({ kind: 'poll', everyMs: 25 });
    const result = await check({ adapter, seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});

describe('a broken poll is caught on seeds 1-5, shrunk to a short trace', () => {
  it.each<[string, PoolAdapter, ViolationKind, RegExp, readonly (readonly [ViolationKind, RegExp])[]]>([
    ['one interval late', pollLate, 'timeout-missed', /^acquire #\d+ (should have been rejected \(timed out\) but is still pending|was rejected \(timed out\) at \d+ ms; its deadline was \d+ ms, and the first poll after it \(polled every 25 ms\) is due by \d+ ms)$/, [['served-after-timeout', /should have been rejected \(timed out\) but got connection #\d+/]]],
    ['left running after close', pollLeftRunning, 'timer-left-pending', /^\d+ timer\(s\) still pending after the pool closed; a closed pool must cancel its timers$/, []],
    ['rejecting before the deadline', pollEarly, 'waiter-answered-early', /^acquire #\d+ (should still be waiting .*its timeout is at \d+ ms\), but it was rejected|was rejected \(timed out\) at \d+ ms, before its deadline at \d+ ms \(the acquire timeout is polled every 25 ms\))/, []],
  ])('%s', async (_bug, adapter, kind, message, alternatives) => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed }), kind, message, ...alternatives);
      expect(failure.length, `seed ${seed}`).toBeLessThanOrEqual(6);
    }
  });
});

describe('a wrong declaration of how the timeout is checked fails with an explanation', () => {
  it('a timer declared for a pool that polls: the waiter is still pending at its deadline', async () => {
    const adapter = ownPoolAdapter({ acquireTimeoutPollMs: 25, semantics: claiming(ownPoolSemantics(), {}) });
    expectCaught(await check({ adapter, seed: 1 }), 'timeout-missed', /^acquire #\d+ should have been rejected \(timed out\) but is still pending$/, ['served-after-timeout', /should have been rejected \(timed out\) but got connection #\d+/]);
  });

  it('a poll declared more often than the pool polls: the waiter is rejected after the declared window', async () => {
    const adapter = ownPoolAdapter({ acquireTimeoutPollMs: 25, semantics: claiming(ownPoolSemantics(), { acquireTimeoutCheck: { kind: 'poll', everyMs: 5 } }) });
    expectCaught(await check({ adapter, seed: 1 }), 'timeout-missed', /polled every 5 ms|still pending/, ['served-after-timeout', /should have been rejected \(timed out\) but got connection #\d+/]);
  });

  it('a poll declared for a pool with a timer per waiter passes: a timer rejects at the deadline, inside every poll window', async () => {
    // A weaker claim, not a wrong one: the instant a timer gives lies in the window a poll allows.
    const adapter = ownPoolAdapter({ semantics: claiming(ownPoolSemantics(), { acquireTimeoutCheck: { kind: 'poll', everyMs: 25 } }) });
    const result = await check({ adapter, seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
