import { ownPoolAdapter } from '../../src/adapters/own.js';
import { poolProperties } from '../../src/vitest.js';

// The one-call registration users write for their own pools, here for poolcheck's own pool in both
// min modes. A fixed seed keeps the suite deterministic; drop it to explore.
poolProperties(ownPoolAdapter(), { seed: 20261124 });
poolProperties(ownPoolAdapter({ expiryRespectsMinSize: true }), { seed: 20261124 });
poolProperties(ownPoolAdapter({ expiryRespectsMinSize: true, minFloorCounts: 'idle' }), { seed: 20261124 });
