import { afterEach, describe, expect, it } from 'vitest';
import * as poolcheck from '../src/index.js';

afterEach(() => poolcheck.uninstallAllClocks());

describe('public API', () => {
  it('checks a pool through the one public door', async () => {
    const result = await poolcheck.check({ adapter: poolcheck.ownPoolAdapter(), numRuns: 20, seed: 11 });
    expect(result.passed, poolcheck.formatResult(result)).toBe(true);
    expect(poolcheck.toJson([{ result, adapter: poolcheck.ownPoolAdapter() }]).schema).toBe(poolcheck.CHECK_SCHEMA);
  });

  it('exports the pool, the connector, the scenario and the catalogue of properties', () => {
    expect(typeof poolcheck.createPool).toBe('function');
    expect(typeof poolcheck.createPgMemConnector).toBe('function');
    expect(typeof poolcheck.runSeedScenario).toBe('function');
    expect(poolcheck.PROPERTIES.length).toBeGreaterThan(5);
    expect(typeof poolcheck.readCaseFile).toBe('function');
    expect(typeof poolcheck.replayCase).toBe('function');
    expect(poolcheck.capabilitiesOf(poolcheck.asyncpgSemantics).waiters).toBe(true);
  });
});
