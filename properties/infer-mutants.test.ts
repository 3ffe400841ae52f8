import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { differences } from '../src/infer/compare.js';
import { infer } from '../src/infer/infer.js';
import { mutants } from '../fixtures/mutants/index.js';
import { raceControl, raceMutants } from '../fixtures/mutants/race-index.js';

afterEach(() => uninstallAllClocks());

/*
 * Every deliberately broken own pool: infer must never hand back the true pool's declaration
 * without a warning. It either declares something else (the field the bug breaks) or names a
 * contradiction. The probes alone decide it, without the confirming check.
 */
describe('infer on the broken pools', () => {
  for (const mutant of mutants) {
    it(`does not pass ${mutant.file} off as the pool it breaks`, async () => {
      const result = await infer({ adapter: { ...mutant.adapter, semantics: undefined }, confirm: false });
      // The true pool's declaration: the one the mutant's adapter keeps from the pool it breaks.
      const differs = differences(mutant.adapter.semantics, result.semantics);
      expect(differs.length + result.contradictions.length, `infer declared the own pool's semantics for ${mutant.file}`).toBeGreaterThan(0);
    });
  }

  // The abort and validation mutants differ from their pool in one field each: infer must find
  // that field different, not merely some other one.
  const breaks: Record<string, string> = {
    'aborted-waiter-stays-queued.ts': 'capabilities.abort',
    'abandoned-connection-leaks.ts': 'capabilities.abort',
    'aborted-connect-kept.ts': 'capabilities.abort',
    'validation-skipped.ts': 'validation',
    'invalid-not-closed.ts': 'validation',
    'validation-not-awaited.ts': 'validation',
    'new-connection-unchecked.ts': 'validation',
  };
  for (const [file, field] of Object.entries(breaks)) {
    it(`finds ${field} different on ${file}`, async () => {
      const mutant = mutants.find((m) => m.file === file)!;
      const result = await infer({ adapter: { ...mutant.adapter, semantics: undefined }, confirm: false });
      expect(result.contradictions).toEqual([]);
      expect(differences(mutant.adapter.semantics, result.semantics).map((d) => d.field)).toContain(field);
    });
  }

  // The race mutants pass the sequential check as declared (no waits, no faults). infer finds the
  // waiters and slow connects their pool has; with those declared, the confirming check catches
  // both, while the unbroken pool they come from is confirmed.
  it('finds the waits the race mutants\' pool has, and its confirming check then catches them', async () => {
    const control = await infer({ adapter: raceControl, confirm: { numRuns: 50 } });
    expect(control.contradictions).toEqual([]);
    expect(control.semantics.capabilities).toMatchObject({ waiters: true, slowConnect: true });
    expect(control.confirmation?.passed).toBe(true);
    for (const mutant of raceMutants) {
      const result = await infer({ adapter: mutant.adapter });
      expect(result.confirmation?.passed, mutant.file).toBe(false);
    }
  });
});
