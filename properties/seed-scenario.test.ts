import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { installFakeClock, uninstallAllClocks } from '../src/clock/fake.js';
import { DefinitionError } from '../src/runner/violation-error.js';
import { formatSeedTable, runSeedScenario } from '../src/scenario/index.js';

afterEach(() => uninstallAllClocks());

// The report that started poolcheck: lifetime 5 s, two connections released at t = 0, the idle
// size printed every second. Expiry is only as punctual as the event loop.
describe('seed scenario, poolcheck own pool', () => {
  it('await sleep(1000): idle 2 until the lifetime, 0 from t = 5 s on', async () => {
    const table = await runSeedScenario(ownPoolAdapter());
    expect(table.failure, formatSeedTable(table)).toBeNull();
    expect(table.times).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000]);
    expect(table.async, formatSeedTable(table)).toEqual([2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0]);
  });

  it('blocking sleep(1000): idle 2 all the way to t = 10 s, 0 once the loop wakes', async () => {
    const table = await runSeedScenario(ownPoolAdapter());
    expect(table.blocked, formatSeedTable(table)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect(table.afterWake, formatSeedTable(table)).toBe(0);
  });

  it('prints the table', async () => {
    const table = await runSeedScenario(ownPoolAdapter());
    expect(formatSeedTable(table)).toBe(
      [
        'own: idle size after 2 connections were released at t = 0 (minSize 0, maxSize 10, lifetime 5000 ms)',
        't (s)                 0  1  2  3  4  5  6  7  8  9  10',
        'await sleep(1000)     2  2  2  2  2  0  0  0  0  0   0',
        'blocking sleep(1000)  2  2  2  2  2  2  2  2  2  2   2',
        'after the loop wakes                                 0',
      ].join('\n'),
    );
  });

  it('rejects a wrong option with a definition error', async () => {
    await expect(runSeedScenario(ownPoolAdapter(), { intervalMs: 0 })).rejects.toThrow(DefinitionError);
    await expect(runSeedScenario(ownPoolAdapter(), { lifetime: 5 } as never)).rejects.toThrow(/unknown option "lifetime"/);
  });
});

describe('seed scenario, a pool that fails', () => {
  it('reports a rejected acquire as a value and leaves no clock installed', async () => {
    const own = ownPoolAdapter();
    const broken = { ...own, name: 'rejects acquire', acquire: () => Promise.reject(new Error('no connections today')) };
    const table = await runSeedScenario(broken);
    expect(table.failure).toMatchObject({ kind: 'pool-error', at: 0 });
    expect(table.failure?.message).toMatch(/^await sleep\(1000\): acquire\(\) of connection 1 failed: Error: no connections today/);
    expect(table.async).toEqual([]);
    expect(table.afterWake).toBeNull();
    expect(formatSeedTable(table)).toMatch(/FAILED at t = 0 ms/);
    // installFakeClock throws while another run's clock is still installed.
    expect(() => installFakeClock().uninstall()).not.toThrow();
  });
});
