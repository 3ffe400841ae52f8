import { afterEach, describe, expect, it } from 'vitest';
import { adapter as handoffUnchecked } from '../fixtures/mutants/handoff-unchecked.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * A validation of a connection handed straight to a waiter (`alsoChecks: ['released']`): the
 * connection a release (or an aborted check) hands over is checked before the waiter gets it,
 * as generic-pool's `_dispense` with `testOnBorrow` and tarn's `_doAcquire` do.
 */
describe('a validation of connections handed to a waiter', () => {
  for (const validation of ['sync', 'async'] as const) {
    for (const seed of PASS_SEEDS) {
      it(`the own pool checking hand-offs (${validation}) passes on seed ${seed}, declared so`, async () => {
        const adapter = ownPoolAdapter({ validation, validateHandoffs: true });
        expect(adapter.semantics).toMatchObject({ validation: { check: validation, alsoChecks: ['released'] }, capabilities: { failedValidation: true } });
        const result = await check({ adapter, seed });
        expect(result.passed, formatResult(result)).toBe(true);
      });
    }
  }

  it('a pool that hands a released connection over unchecked is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const failure = expectCaught(await check({ adapter: handoffUnchecked, seed, shrink: seed === 1 }), 'handed-out-invalid', /got connection #\d+, which failed its validation at \d+ ms/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(6);
    }
  });

  it('declared as checking idle connections only, the pool that checks hand-offs fails with the reason', async () => {
    const adapter = ownPoolAdapter({ validation: 'sync', validateHandoffs: true, semantics: ownPoolSemantics({ validation: 'sync' }) });
    expectCaught(await check({ adapter, seed: 1 }), 'wrong-connection', /should have been handed #\d+ as it was released, got a new connection #\d+/);
  });

  it('declared as checking hand-offs, a pool that does not fails with the reason', async () => {
    const adapter = ownPoolAdapter({ validation: 'sync', semantics: ownPoolSemantics({ validation: 'sync', validateHandoffs: true }) });
    expectCaught(await check({ adapter, seed: 1 }), 'handed-out-invalid');
  });

  // Shrunk from seed 5: a refill's connect lands while an acquire waits. The connection was just
  // opened, so the waiter gets it unchecked, as an acquire gets the one opened for it; checked as
  // a hand-off, it took the pending failure, and its close set off a connect nothing called for.
  for (const validation of ['sync', 'async'] as const) {
    it(`a refill's connection landing for a waiter is handed over unchecked (${validation})`, async () => {
      const adapter = ownPoolAdapter({ validation, validateHandoffs: true, minRefill: ['after-discard', 'at-acquire'] });
      const outcome = await replay(adapter, { minSize: 1, maxSize: 1, lifetimeMs: 0 }, [
        { op: 'failNextValidation' },
        { op: 'slowNextConnect', ms: 1 },
        { op: 'breakIdle', connection: 1 },
        { op: 'acquire' },
        { op: 'sleep', ms: 1 },
      ]);
      expect(outcome.violation?.message ?? null).toBeNull();
      // The acquire holds the refill's connection, #2, to the end of the run.
      expect(outcome.trace.map((step) => step.command)).toContain('close() at end of run: release(#2)');
    });
  }
});
