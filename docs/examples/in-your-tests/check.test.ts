import { afterEach, expect, it } from 'vitest';
import { check, formatResult, uninstallAllClocks } from 'poolcheck';
import { myPoolAdapter } from '../quickstart/my-pool.poolcheck.js';

afterEach(() => uninstallAllClocks()); // a timed-out test skips its finally; this still runs
it('my pool expires idle connections as declared', async () => {
  const result = await check({ adapter: myPoolAdapter });
  expect(result.passed, formatResult(result)).toBe(true);
});
