/**
 * poolcheck's properties as vitest tests: `poolProperties(adapter)` in a vitest file.
 *
 * @module poolcheck/vitest
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PoolAdapter } from './adapters/types.js';
import { uninstallAllClocks } from './clock/fake.js';
import { formatResult } from './report/text.js';
import { check, runsFromEnv, type CheckOptions, type CheckResult } from './runner/check.js';
import { PROPERTIES, propertyOf } from './runner/properties.js';
import { validateCheckOptions } from './runner/validate.js';

/** What {@link poolProperties} takes besides the adapter: the runs, the seed and the configurations. */
export type PoolPropertiesOptions = Omit<CheckOptions, 'adapter' | 'onProgress'>;

/**
 * Registers poolcheck's properties for one pool in a vitest file: a `describe` named after the
 * adapter, with one test per property, all checked by one model-checking pass. The seed is in the
 * describe's name, so a failure always says how to rerun it; like `@fast-check/vitest`, a seed set
 * with `fc.configureGlobal({ seed })` is used when none is given.
 *
 * @example
 * import { poolProperties } from 'poolcheck/vitest';
 * poolProperties(myAdapter, { numRuns: 500 });
 */
export function poolProperties(adapter: PoolAdapter, options: PoolPropertiesOptions = {}): void {
  validateCheckOptions({ adapter, ...options });
  const seed = options.seed ?? fc.readConfigureGlobal().seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const numRuns = options.numRuns ?? runsFromEnv();
  describe(`poolcheck: ${adapter.name} (seed ${seed}, ${numRuns} runs)`, () => {
    let result: CheckResult | undefined;
    afterEach(() => uninstallAllClocks());
    beforeAll(async () => {
      try {
        result = await check({ ...options, adapter, seed, numRuns });
      } finally {
        // A check cut short by vitest's hook timeout skips its own cleanup.
        uninstallAllClocks();
      }
    });
    for (const property of PROPERTIES) {
      const applies = property.appliesTo?.(adapter.semantics) ?? true;
      (applies ? it : it.skip)(property.title, () => {
        if (result === undefined) throw new Error('poolcheck: the check did not run; see the error in beforeAll');
        const broken = result.failure === null ? null : propertyOf(result.failure.violation.kind).id;
        // Every property is checked after every command; a run stops at the first violation, so
        // only the property that broke fails, with the whole trace.
        expect(broken === property.id ? 'violated' : 'held', formatResult(result)).toBe('held');
      });
    }
  });
}
