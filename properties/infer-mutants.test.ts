import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { differences } from '../src/infer/compare.js';
import { infer } from '../src/infer/infer.js';
import { asyncpgSemantics } from '../src/model/semantics.js';
import { mutants } from '../fixtures/mutants/index.js';

afterEach(() => uninstallAllClocks());

/*
 * Every deliberately broken own pool: infer must never hand back the true pool's declaration
 * without a warning. It either declares something else (the field the bug breaks) or names a
 * contradiction. The probes alone decide it, without the confirming check.
 */
describe('infer on the broken pools', () => {
  for (const mutant of mutants) {
    it(`does not pass ${mutant.file} off as the own pool`, async () => {
      const result = await infer({ adapter: { ...mutant.adapter, semantics: undefined }, confirm: false });
      const differs = differences(asyncpgSemantics, result.semantics);
      expect(differs.length + result.contradictions.length, `infer declared the own pool's semantics for ${mutant.file}`).toBeGreaterThan(0);
    });
  }
});
