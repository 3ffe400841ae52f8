import { expect, it } from 'vitest';
import { ownPoolAdapter, type OwnAdapterOptions } from '../../src/adapters/own.js';
import { minOf } from '../../src/model/semantics.js';
import { formatResult } from '../../src/report/text.js';
import { check } from '../../src/runner/check.js';
import { PASS_SEEDS } from './seeds.js';

/**
 * Registers, for each variant of the own pool with an async check and a min refill, a test per
 * suite seed that the variant declares its refill and its faults, and passes declared so.
 */
export function variantsPass(variants: Readonly<Record<string, OwnAdapterOptions>>): void {
  for (const [name, options] of Object.entries(variants)) {
    it.each(PASS_SEEDS)(`the own pool with ${name}, declared so, passes with seed %i`, async (seed) => {
      const adapter = ownPoolAdapter(options);
      expect(minOf(adapter.semantics).refill).toEqual(options.minRefill);
      expect(adapter.semantics).toMatchObject({ validation: 'async', capabilities: { failedValidation: true, slowQuery: true, failedConnect: true, slowConnect: true } });
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    });
  }
}
