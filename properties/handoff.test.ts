import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { asyncpgSemantics, type Semantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * How a pool hands an idle connection over decides whether an acquire issued as a blocked loop
 * wakes beats the expiry timers that came due during the block. The own pool can hand over in a
 * microtask, a setImmediate or a setTimeout(0); each passes declared as it is, and fails declared
 * as another, on every one of seeds 1-5, with a one- to three-step counterexample (shrunk for seed 1).
 */

const SEEDS = [1, 2, 3, 4, 5];

describe('hand-off mechanisms', () => {
  it.each([['setImmediate', 'immediate'], ['setTimeout(0)', 'timeout']] as const)('the own pool handing over in a %s passes declared %s', async (_name, handoff) => {
    const result = await check({ adapter: ownPoolAdapter({ handoff }), numRuns: 50 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('a setImmediate hand-off declared macrotask (which means setTimeout(0)) fails: after a block in an I/O callback the immediate comes first', async () => {
    const adapter = ownPoolAdapter({ handoff: 'immediate', semantics: { ...asyncpgSemantics, handoff: 'macrotask' } });
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed, shrink: seed === 1 }), 'outlived', /the acquire issued on the wake cannot have had it, since the declared setTimeout\(0\) hand-off runs after the timers that came due during a block ending in the io phase/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(3);
    }
  });

  const wrong: readonly (readonly [pool: 'microtask' | 'immediate', declared: Semantics['handoff'], kind: 'wrong-connection' | 'outlived', message: RegExp])[] = [
    ['immediate', 'microtask', 'wrong-connection', /^acquire should reuse #\d+( or #\d+)* \(LIFO\), got a new connection #\d+; the declared microtask hand-off runs before the timers that came due during a block ending in the timers phase$/],
    ['microtask', 'immediate', 'outlived', /outlived its \d+ ms lifetime.*; the acquire issued on the wake cannot have had it, since the declared setImmediate hand-off runs after the timers that came due during a block ending in the timers phase$/],
  ];
  it.each(wrong)('a pool handing over by %s, declared %s, fails on seeds 1-5 with the reason', async (pool, declared, kind, message) => {
    const adapter = ownPoolAdapter({ handoff: pool, semantics: { ...asyncpgSemantics, handoff: declared } });
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed, shrink: seed === 1 }), kind, message);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(3);
    }
  });
});
