import { afterEach, describe, expect, it } from 'vitest';
import { InvalidNotClosedPool } from '../fixtures/mutants/invalid-not-closed.js';
import { ValidationNotAwaitedPool } from '../fixtures/mutants/validation-not-awaited.js';
import { ValidationSkippedPool } from '../fixtures/mutants/validation-skipped.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * A validation with a deferred hand-off (`handoff: 'immediate'` or `'timeout'`): each acquire
 * takes its idle connection, and checks it, in a task of its own. A check that answers within
 * microtasks (synchronous, or a query that is not slow) is over before the next acquire of a
 * burst takes anything, so that acquire finds what the first left; a slow query holds its
 * connection across tasks, and the next acquire takes the next idle one.
 */
describe('a validation with a deferred hand-off', () => {
  for (const handoff of ['immediate', 'timeout'] as const) {
    for (const validation of ['sync', 'async'] as const) {
      for (const seed of PASS_SEEDS) {
        it(`the own pool handing over in a ${handoff} with a ${validation} check passes on seed ${seed}`, async () => {
          const adapter = ownPoolAdapter({ handoff, validation, validateHandoffs: true });
          expect(adapter.semantics).toMatchObject({ handoff, validation: { check: validation, alsoChecks: ['released'] } });
          const result = await check({ adapter, seed });
          expect(result.passed, formatResult(result)).toBe(true);
        });
      }
    }
  }

  const broken = [
    { name: 'a check never made', kind: 'handed-out-invalid', validation: 'sync', makePool: ValidationSkippedPool },
    { name: 'a check not awaited', kind: 'waiter-answered-early', validation: 'async', makePool: ValidationNotAwaitedPool },
    { name: 'a failed connection left open', kind: 'kept-invalid', validation: 'async', makePool: InvalidNotClosedPool },
  ] as const;
  for (const mutant of broken) {
    it(`${mutant.name}, with a setImmediate hand-off, is caught on seeds 1-5, shrunk short`, async () => {
      const adapter = ownPoolAdapter({ name: `mutant: ${mutant.name}`, handoff: 'immediate', validation: mutant.validation, makePool: (o) => new mutant.makePool(o) });
      for (const seed of [1, 2, 3, 4, 5]) {
        const result = await check({ adapter, seed, shrink: seed === 1 });
        const kind = result.failure?.violation.kind;
        // A check not awaited lends the failing connection or answers before the slow check lands.
        const failure = expectCaught(result, kind === 'handed-out-invalid' ? 'handed-out-invalid' : mutant.kind);
        if (seed === 1) expect(failure.length).toBeLessThanOrEqual(6);
      }
    });
  }

  it('declared with a microtask hand-off, an async check behind a setImmediate fails with the reason', async () => {
    const adapter = ownPoolAdapter({ handoff: 'immediate', validation: 'async', semantics: ownPoolSemantics({ validation: 'async' }) });
    // Shortest, a block's wake shows it: a microtask hand-off would beat the overdue expiry; or a
    // burst whose first check fails: a microtask hand-off takes every connection before any check.
    expectCaught(await check({ adapter, seed: 1 }), 'wrong-connection', /should reuse #\d+ \(LIFO\), got a new connection #\d+; the declared microtask hand-off runs before the timers|should have got a new connection, got #\d+/);
  });
});
