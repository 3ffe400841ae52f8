import { afterEach, describe, expect, it } from 'vitest';
import { adapter as lateConnectLeaks } from '../fixtures/mutants/late-connect-leaks.js';
import { adapter as pollConnectLate } from '../fixtures/mutants/poll-connect-late.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { ViolationKind } from '../src/model/violation.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';
import { claiming } from './support/wrong-declarations.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * An acquire timeout over the wait and the connect whose late connect is closed
 * (`lateConnect: 'closed'`): at the deadline the connect is given up, its capacity is free at
 * once, and the connection is closed as it lands. Checked by a timer, or polled every N ms. The
 * own pool's `acquireTimeoutCoversConnect` does it, with either check.
 */

const SEEDS = [1, 2, 3, 4, 5];
const covering = ownPoolSemantics({ acquireTimeoutCoversConnect: true });

describe('a deadline over the wait and the connect, the late connect closed', () => {
  it.each(PASS_SEEDS)('the own pool with a timer, declared so, passes with seed %i', async (seed) => {
    const adapter = ownPoolAdapter({ acquireTimeoutCoversConnect: true });
    expect(adapter.semantics.capabilities).toMatchObject({ acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'closed', slowConnect: true });
    const result = await check({ adapter, seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each(PASS_SEEDS)('the own pool polling every 25 ms, declared so, passes with seed %i', async (seed) => {
    const adapter = ownPoolAdapter({ acquireTimeoutCoversConnect: true, acquireTimeoutPollMs: 25 });
    expect(adapter.semantics.capabilities).toMatchObject({ acquireTimeoutCovers: 'wait-and-connect', lateConnect: 'closed', acquireTimeoutCheck: { kind: 'poll', everyMs: 25 } });
    const result = await check({ adapter, seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});

describe('a broken pool is caught on seeds 1-5, shrunk to a short trace', () => {
  it.each<[string, PoolAdapter, ViolationKind, RegExp, readonly (readonly [ViolationKind, RegExp])[]]>([
    ['a late connect declared closed, leaked', lateConnectLeaks, 'abandoned-kept', /^connection #\d+ landed at \d+ ms after its acquire had given up on the connect, and was still open at \d+ ms; the declared lateConnect closes it as it lands/, []],
    ['a polled deadline that gives up on a connect one interval late', pollConnectLate, 'served-after-timeout', /^acquire #\d+ should have been rejected \(timed out\) but got connection #\d+$/, [['timeout-missed', /^acquire #\d+ (should have been rejected \(timed out\) but is still pending|was rejected \(timed out\) at \d+ ms; its deadline was \d+ ms, and the first poll after it \(polled every 25 ms\) is due by \d+ ms)$/]]],
  ])('%s', async (_bug, adapter, kind, message, alternatives) => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed }), kind, message, ...alternatives);
      expect(failure.length, `seed ${seed}`).toBeLessThanOrEqual(4);
    }
  });
});

describe('a wrong declaration fails with an explanation', () => {
  it('lateConnect "kept" for a pool that closes it: the model gives the landing connection to nobody, the pool opens another', async () => {
    const adapter = ownPoolAdapter({ acquireTimeoutCoversConnect: true, semantics: claiming(covering, { lateConnect: 'kept' }) });
    expectCaught(await check({ adapter, seed: 1 }), 'unexpected-create', /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for/);
  });

  it('acquireTimeoutCovers "wait" for a pool whose deadline cuts the connect: the acquire is rejected where the model serves it', async () => {
    const { lateConnect: _late, ...waitOnly } = covering.capabilities ?? {};
    const adapter = ownPoolAdapter({ acquireTimeoutCoversConnect: true, semantics: { ...covering, capabilities: { ...waitOnly, acquireTimeoutCovers: 'wait' } } });
    expectCaught(await check({ adapter, seed: 1 }), 'waiter-not-served', /^acquire #\d+ should have been served .* but was rejected: PoolTimeoutError: poolcheck pool: acquire\(\) timed out after \d+ ms while its connection was still opening/);
  });

  it('a timer declared for a pool that polls its deadlines: the acquire is still pending at its deadline', async () => {
    const adapter = ownPoolAdapter({ acquireTimeoutCoversConnect: true, acquireTimeoutPollMs: 25, semantics: covering });
    expectCaught(await check({ adapter, seed: 1 }), 'timeout-missed', /^acquire #\d+ should have been rejected \(timed out\) but is still pending$/, ['served-after-timeout', /should have been rejected \(timed out\) but got connection #\d+/]);
  });
});

describe('connects landing together as a blocked loop wakes', () => {
  it('an abandoned connect due first lands first: it is the first connection created, closed, and the aborted acquire\'s lands after it, idle', async () => {
    const adapter = ownPoolAdapter({ acquireTimeoutCoversConnect: true });
    const steps = [{ op: 'slowNextConnect', ms: 8 }, { op: 'acquire' }, { op: 'abort', acquire: 1 }, { op: 'slowNextConnect', ms: 7 }, { op: 'acquire' }, { op: 'blockingSleep', ms: 8, acquireOnWake: false, phase: 'timers' }];
    const outcome = await replay(adapter, { minSize: 0, maxSize: 2, lifetimeMs: 1, acquireTimeoutMs: 7 }, steps);
    expect(outcome.violation).toBeNull();
  });
});
