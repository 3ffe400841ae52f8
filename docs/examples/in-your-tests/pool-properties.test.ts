// my-pool.poolcheck.test.ts
import fc from 'fast-check';
import { poolProperties } from 'poolcheck/vitest';
import { myPoolAdapter } from '../quickstart/my-pool.poolcheck.js';

poolProperties(myPoolAdapter);                                // 200 runs (POOLCHECK_RUNS), a random seed
poolProperties(myPoolAdapter, { numRuns: 300, seed: 42 });    // fixed: the same runs every time
poolProperties(myPoolAdapter, {                               // your own { minSize, maxSize, lifetimeMs }
  configs: fc.record({ minSize: fc.constant(0), maxSize: fc.integer({ min: 1, max: 4 }), lifetimeMs: fc.integer({ min: 1, max: 100 }) }),
});
