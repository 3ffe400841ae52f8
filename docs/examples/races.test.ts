import { expect, it } from 'vitest';
import { checkRaces, formatRaceResult, ownPoolAdapter } from 'poolcheck';

it('the own pool stays safe whatever order concurrent clients run in', async () => {
  const result = await checkRaces({ adapter: ownPoolAdapter(), numRuns: 50, seed: 1 });
  expect(result.passed, formatRaceResult(result)).toBe(true);
});
