import Pool from 'pg-pool';
import { pgPoolAdapter } from 'poolcheck';
import { poolProperties } from 'poolcheck/vitest';

// The pg-pool you installed, with the options you run it with; poolcheck sets max, min,
// idleTimeoutMillis and connectionTimeoutMillis from each run's configuration.
poolProperties(pgPoolAdapter({ Pool, options: { maxUses: 7500, allowExitOnIdle: true } }), { numRuns: 100 });
