/**
 * poolcheck's properties as vitest tests: `poolProperties(adapter)` in a vitest file.
 *
 * @module poolcheck/vitest
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtInNameOf } from './adapters/label.js';
import type { PoolAdapter } from './adapters/types.js';
import { uninstallAllClocks } from './clock/fake.js';
import { formatResult } from './report/text.js';
import { check, runsFromEnv, type CheckOptions, type CheckResult } from './runner/check.js';
import { PROPERTIES, propertyOf } from './runner/properties.js';
import { decodeRerunToken } from './runner/rerun.js';
import { validateCheckOptions } from './runner/validate.js';
import { PROPERTIES_OPTIONS, rejectUnknownOptions } from './runner/known-options.js';
import { DefinitionError } from './runner/violation-error.js';

/**
 * What {@link poolProperties} takes besides the adapter: the runs, the seed and the configurations;
 * `seed`, `path` and `replayPath` (or `rerun`, the token) to rerun a failure; `adapterLabel`, the
 * path of the adapter module, for the printed `cli:` rerun line.
 */
export type PoolPropertiesOptions = Omit<CheckOptions, 'adapter' | 'onProgress'> & {
  /** What `poolcheck check --adapter` takes for this adapter (its module's path), for the `cli:` rerun line. */
  readonly adapterLabel?: string;
};

/**
 * Registers poolcheck's properties for one pool in a vitest file: a `describe` named after the
 * adapter, with one test per property, all checked by one model-checking pass. The seed is in the
 * describe's name, so a failure always says how to rerun it; like `@fast-check/vitest`, a seed set
 * with `fc.configureGlobal({ seed })` is used when none is given.
 *
 * A failure prints its rerun: pass its `seed`, `path` and `replayPath` (or its `rerun` token) to
 * replay just that case. A rerun that does not replay a failure fails the suite with the reason,
 * never passes.
 *
 * @example
 * import { poolProperties } from 'poolcheck/vitest';
 * poolProperties(myAdapter, { numRuns: 500 });
 * // the failure printed seed -1280275355, path '4:2:2', replayPath 'AAE:F':
 * poolProperties(myAdapter, { seed: -1280275355, path: '4:2:2', replayPath: 'AAE:F' });
 */
export function poolProperties(adapter: PoolAdapter, options: PoolPropertiesOptions = {}): void {
  rejectUnknownOptions('poolProperties()', options, PROPERTIES_OPTIONS);
  validateCheckOptions({ adapter, ...options });
  if (options.adapterLabel !== undefined && (typeof options.adapterLabel !== 'string' || options.adapterLabel === '')) throw new DefinitionError('poolcheck: `adapterLabel` must be the path of the adapter module, as `poolcheck check --adapter` takes it');
  // A rerun token carries its own seed, which the title shows.
  const seed = (options.rerun === undefined ? undefined : decodeRerunToken(options.rerun).seed) ?? options.seed ?? fc.readConfigureGlobal().seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const numRuns = options.numRuns ?? runsFromEnv();
  const label = options.adapterLabel ?? builtInNameOf(adapter);
  const rerunning = options.rerun !== undefined || options.path !== undefined ? ', a rerun' : '';
  describe(`poolcheck: ${adapter.name} (seed ${seed}, ${numRuns} runs${rerunning})`, () => {
    let result: CheckResult | undefined;
    afterEach(() => uninstallAllClocks());
    beforeAll(async () => {
      try {
        // A token carries its own seed.
        const { adapterLabel: _label, ...checkOptions } = options;
        result = await check({ ...checkOptions, adapter, ...(options.rerun === undefined ? { seed } : {}), numRuns });
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
        expect(broken === property.id ? 'violated' : 'held', formatResult(result, label === undefined ? {} : { adapter: label })).toBe('held');
      });
    }
  });
}
