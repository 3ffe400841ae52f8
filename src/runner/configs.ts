import fc from 'fast-check';
import { capabilitiesOf, normalizeZeroLifetime, type PoolConfig, type Semantics } from '../model/semantics.js';

/** Lifetimes a run draws: 0 (expiry disabled), and from 1 ms to minutes, shrinking toward short ones. */
export const defaultLifetimeArb: fc.Arbitrary<number> = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 10 }),
  fc.integer({ min: 1, max: 1_000 }),
  fc.integer({ min: 1_000, max: 300_000 }),
);

/**
 * The configurations a run draws: minSize 0–3, maxSize up to 10, and lifetimes from 1 ms to
 * minutes, with 0 (expiry disabled) among them. Lifetimes shrink toward short ones, which make
 * the shortest counterexamples.
 */
export const defaultConfigArb: fc.Arbitrary<PoolConfig> = fc.integer({ min: 0, max: 3 }).chain((minSize) => configsWithMin[minSize] as fc.Arbitrary<PoolConfig>);

/*
 * The rest of a configuration, for each minSize: built once, where building it in the chain would
 * build a record arbitrary for every run. The same arbitrary draws the same values as a new one.
 */
const configsWithMin: readonly fc.Arbitrary<PoolConfig>[] = [0, 1, 2, 3].map((minSize) =>
  fc.record({
    minSize: fc.constant(minSize),
    maxSize: fc.integer({ min: Math.max(1, minSize), max: 10 }),
    lifetimeMs: defaultLifetimeArb,
  }),
);

/**
 * Acquire timeouts, from one millisecond to a minute. Short ones race the releases of a run; long
 * ones mostly outlast it, so a waiter is usually served.
 */
export const acquireTimeoutArb: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1_000, max: 60_000 }));

/** Whether a lifetime of 0 is drawn: for every pool that declares what 0 means. */
export function drawsZeroLifetime(semantics: Semantics): boolean {
  return normalizeZeroLifetime(semantics.zeroLifetime) !== 'unstated';
}

/**
 * The drawn configurations, fitted to what the pool declares: a lifetime of 0 only where the
 * pool says what 0 means, and the acquire timeout is drawn only where the pool has one (always,
 * where the pool always has one). A timeout set by the caller's own arbitrary is kept.
 */
export function configsFor(semantics: Semantics, drawn: fc.Arbitrary<PoolConfig>): fc.Arbitrary<PoolConfig> {
  const lifetimes = drawsZeroLifetime(semantics) ? drawn : drawn.filter((c) => c.lifetimeMs !== 0);
  const timeout = capabilitiesOf(semantics).acquireTimeout;
  if (timeout === null) return lifetimes;
  const drawTimeout = timeout === 'required' ? acquireTimeoutArb : fc.option(acquireTimeoutArb, { nil: undefined });
  return fc.tuple(lifetimes, drawTimeout).map(([config, acquireTimeoutMs]) => {
    if (config.acquireTimeoutMs !== undefined || acquireTimeoutMs === undefined) return config;
    return { ...config, acquireTimeoutMs };
  });
}
