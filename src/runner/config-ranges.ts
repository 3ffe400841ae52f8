import fc from 'fast-check';
import type { PoolConfig } from '../model/semantics.js';
import { defaultLifetimeArb } from './configs.js';
import { DefinitionError } from './violation-error.js';

/** Whole numbers from `min` to `max`, both included; `{ min: 0, max: 0 }` pins a value. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Ranges for the configuration a run draws, as plain data (so they cross to fuzz worker threads
 * and sit in a config file). A field left out keeps the default draw of {@link defaultConfigArb}.
 */
export interface ConfigRanges {
  readonly minSize?: Range;
  readonly maxSize?: Range;
  readonly lifetimeMs?: Range;
  /** Left out: drawn where the pool declares an acquire timeout, as by default. */
  readonly acquireTimeoutMs?: Range;
}

/** The default draw's bounds, where a range is not given. */
const DEFAULT_MIN_SIZE: Range = { min: 0, max: 3 };
const DEFAULT_MAX_SIZE_CAP = 10;

/**
 * The configurations within the ranges: minSize, then maxSize at least max(1, minSize), each
 * within its range; lifetimes biased toward the low end (short lifetimes make the shortest
 * counterexamples), as the default draw is. Throws a {@link DefinitionError} for ranges that leave
 * no configuration (a maxSize range entirely below the minSize range, say).
 *
 * @example
 * check({ adapter, configs: configArbFromRanges({ minSize: { min: 0, max: 0 } }) }); // a pool without a minimum
 */
export function configArbFromRanges(ranges: ConfigRanges): fc.Arbitrary<PoolConfig> {
  const minRange = ranges.minSize ?? (ranges.maxSize === undefined ? DEFAULT_MIN_SIZE : { min: 0, max: Math.min(DEFAULT_MIN_SIZE.max, ranges.maxSize.max) });
  const maxRange = ranges.maxSize ?? { min: 1, max: Math.max(DEFAULT_MAX_SIZE_CAP, minRange.min, 1) };
  if (maxRange.max < Math.max(1, minRange.min)) {
    throw new DefinitionError(`poolcheck: maxSize ${show(maxRange)} leaves no room for minSize ${show(minRange)}: maxSize must reach at least ${Math.max(1, minRange.min)}`);
  }
  const lifetime = ranges.lifetimeMs === undefined ? defaultLifetimeArb : biased(ranges.lifetimeMs);
  const timeout = ranges.acquireTimeoutMs === undefined ? fc.constant(undefined) : biased(ranges.acquireTimeoutMs);
  return fc.integer({ min: minRange.min, max: Math.min(minRange.max, maxRange.max) }).chain((minSize) =>
    fc.record({
      minSize: fc.constant(minSize),
      maxSize: fc.integer({ min: Math.max(1, minSize, maxRange.min), max: maxRange.max }),
      lifetimeMs: lifetime,
      acquireTimeoutMs: timeout,
    }).map(({ acquireTimeoutMs, ...config }): PoolConfig => (acquireTimeoutMs === undefined ? config : { ...config, acquireTimeoutMs })),
  );
}

/** Mostly anywhere in the range, often within ten of its low end, where off-by-one bugs live. */
function biased(range: Range): fc.Arbitrary<number> {
  if (range.max - range.min <= 10) return fc.integer(range);
  return fc.oneof(fc.integer({ min: range.min, max: range.min + 10 }), fc.integer(range));
}

/** `3` or `1-1000`, as the user writes it. */
export function show(range: Range): string {
  return range.min === range.max ? String(range.min) : `${range.min}-${range.max}`;
}
