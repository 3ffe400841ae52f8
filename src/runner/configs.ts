import fc from 'fast-check';
import type { PoolConfig } from '../model/semantics.js';

/**
 * The configurations a run draws: minSize 0–3, maxSize up to 10, and lifetimes from 1 ms to
 * minutes, with 0 (expiry disabled) among them. Lifetimes shrink toward short ones, which make
 * the shortest counterexamples.
 */
export const defaultConfigArb: fc.Arbitrary<PoolConfig> = fc
  .integer({ min: 0, max: 3 })
  .chain((minSize) =>
    fc.record({
      minSize: fc.constant(minSize),
      maxSize: fc.integer({ min: Math.max(1, minSize), max: 10 }),
      lifetimeMs: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1_000, max: 300_000 }),
      ),
    }),
  );
