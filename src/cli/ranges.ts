import { LONGEST_TIMER_MS } from '../adapters/acquire-timeout.js';
import type { PoolAdapter } from '../adapters/types.js';
import { capabilitiesOf } from '../model/semantics.js';
import type { ConfigRanges, Range } from '../runner/config-ranges.js';
import { UsageError } from './usage.js';

/** The flags that pin or narrow the drawn configuration, with the field each sets and its bounds. */
export const RANGE_FLAGS = {
  min: { field: 'minSize', what: 'connections', low: 0, high: 1_000 },
  max: { field: 'maxSize', what: 'connections', low: 1, high: 1_000 },
  lifetime: { field: 'lifetimeMs', what: 'ms', low: 0, high: LONGEST_TIMER_MS },
  'acquire-timeout': { field: 'acquireTimeoutMs', what: 'ms', low: 1, high: LONGEST_TIMER_MS },
} as const;

export type RangeFlag = keyof typeof RANGE_FLAGS;

/** The `parseArgs` options of the range flags, for the commands that draw configurations. */
export const RANGE_OPTIONS = { min: { type: 'string' }, max: { type: 'string' }, lifetime: { type: 'string' }, 'acquire-timeout': { type: 'string' } } as const;

/**
 * `--min 0`, `--lifetime 1-1000`: a whole number, or two joined by `-`, low first, within the
 * flag's bounds. The message names the flag, what it takes and what it got.
 */
export function parseRange(flag: RangeFlag, raw: string): Range {
  const { what, low, high } = RANGE_FLAGS[flag];
  const match = /^(\d+)(?:-(\d+))?$/.exec(raw.trim());
  const takes = `--${flag} takes a number of ${what} or a range like ${low}-${Math.min(high, low + 1000)}, each from ${low} to ${high}`;
  if (match === null) throw new UsageError(`${takes}; got '${raw}'`);
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min < low || max > high) throw new UsageError(`${takes}; got '${raw}'`);
  if (min > max) throw new UsageError(`--${flag} ${raw}: the range runs low to high; write ${max}-${min}`);
  return { min, max };
}

/** Every range flag given, as the ranges of a configuration; undefined when none was. */
export function rangesFrom(values: Partial<Record<RangeFlag, string | undefined>>): ConfigRanges | undefined {
  const ranges: Record<string, Range> = {};
  for (const flag of Object.keys(RANGE_FLAGS) as RangeFlag[]) {
    const raw = values[flag];
    if (raw !== undefined) ranges[RANGE_FLAGS[flag].field] = parseRange(flag, raw);
  }
  const min = ranges['minSize'];
  const max = ranges['maxSize'];
  if (min !== undefined && max !== undefined && max.max < Math.max(1, min.min)) {
    throw new UsageError(`--max ${values.max!.trim()} is below --min ${values.min!.trim()}: a pool's maxSize must reach its minSize (and at least 1)`);
  }
  return Object.keys(ranges).length === 0 ? undefined : (ranges as ConfigRanges);
}

/**
 * Ranges an adapter cannot take, refused before any run: a timeout for a pool that declares none,
 * and a lifetime of 0 only, for a pool that rejects it. Nothing is silently dropped.
 */
export function checkRangesFit(ranges: ConfigRanges, adapter: PoolAdapter): void {
  if (ranges.acquireTimeoutMs !== undefined && capabilitiesOf(adapter.semantics).acquireTimeout === null) {
    throw new UsageError(`--acquire-timeout: adapter '${adapter.name}' declares no acquire timeout (semantics.capabilities.acquireTimeout is null), so poolcheck cannot check one; leave it out for this adapter`);
  }
  if (ranges.lifetimeMs?.max === 0 && adapter.semantics.zeroLifetime === 'rejected') {
    throw new UsageError(`--lifetime 0: adapter '${adapter.name}' declares that it rejects a lifetime of 0 (semantics.zeroLifetime), so no run can have one; give a lifetime of 1 ms or more`);
  }
}
