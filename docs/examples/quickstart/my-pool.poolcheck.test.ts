import { poolProperties } from 'poolcheck/vitest';
import { myPoolAdapter } from './my-pool.poolcheck.js';

poolProperties(myPoolAdapter, { numRuns: 100 });
