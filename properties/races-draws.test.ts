import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as timeoutEmptiesQueue } from '../fixtures/mutants/timeout-empties-queue.js';
import { adapter as zeroRefusedLeaks } from '../fixtures/mutants/zero-refused-leaks.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { checkRaces, formatRaceResult } from '../src/index.js';
import { asyncpgSemantics } from '../src/model/semantics.js';
import { raceClientsArbFor, raceConfigArbFor } from '../src/races/arbitraries.js';
import type { RaceCheckResult } from '../src/races/types.js';

afterEach(() => uninstallAllClocks());

/** What a rerun must give again: the violation, the configuration, and the scheduled trace with its rerun lines (not the count of shrinks). */
const replayed = (result: RaceCheckResult): string[] => {
  const lines = formatRaceResult(result).split('\n');
  return [...lines.filter((l) => /^(Violation|Config):/.test(l)), ...lines.slice(lines.findIndex((l) => l.startsWith('Scheduled trace')))];
};

/*
 * Races draw a lifetime of 0 for pools that declare what 0 means, and blocked loops that wake
 * into either phase; a race failure with them reproduces from its rerun token.
 */

describe('what a race draws', () => {
  it('a lifetime of 0 only for a pool that declares what it means, in about a run in four', () => {
    const declared = fc.sample(raceConfigArbFor(asyncpgSemantics), { seed: 1, numRuns: 400 });
    const zeros = declared.filter((c) => c.lifetimeMs === 0).length;
    expect(zeros).toBeGreaterThan(60);
    expect(zeros).toBeLessThan(140);
    const unstated = fc.sample(raceConfigArbFor({ ...asyncpgSemantics, zeroLifetime: 'rejected' }), { seed: 1, numRuns: 400 });
    expect(unstated.every((c) => c.lifetimeMs > 0)).toBe(true);
  });

  it('pauses that block the loop and wake into the timers phase or the io phase, never a block of 0 ms', () => {
    const rounds = fc.sample(raceClientsArbFor(asyncpgSemantics), { seed: 1, numRuns: 200 }).flat(2);
    const phases = new Set(rounds.map((r) => r.block));
    expect(phases).toEqual(new Set([undefined, 'timers', 'io']));
    expect(rounds.every((r) => r.block === undefined || r.pause > 0)).toBe(true);
  });
});

describe('race failures with them reproduce', () => {
  it('a pool that refuses 0 but leaks the min connections it opened first is caught on seeds 1-3, with a lifetime of 0', async () => {
    for (const seed of [1, 2, 3]) {
      const result = await checkRaces({ adapter: zeroRefusedLeaks, seed, numRuns: 100 });
      const report = formatRaceResult(result);
      expect(result.failure?.violation.kind, report).toBe('leaked-connection');
      expect(result.failure?.violation.message, report).toMatch(/^creating the pool with a lifetime of 0 failed \(.*\) but left connection\(s\) #\d+.* open$/);
      expect(result.failure?.config.lifetimeMs, report).toBe(0);
      const again = await checkRaces({ adapter: zeroRefusedLeaks, rerun: result.failure!.token });
      expect(replayed(again), report).toEqual(replayed(result));
    }
  });

  it('a pool that accepts 0, declared as refusing it, fails as zero-lifetime-accepted', async () => {
    const accepted = await checkRaces({ adapter: ownPoolAdapter({ semantics: { ...asyncpgSemantics, zeroLifetime: 'create-fails' } }), seed: 1, numRuns: 50 });
    expect(accepted.failure?.violation.kind, formatRaceResult(accepted)).toBe('zero-lifetime-accepted');
  });

  it('a failure whose shrunk clients block the loop reruns from its token to the same trace', async () => {
    const result = await checkRaces({ adapter: timeoutEmptiesQueue, seed: 1, numRuns: 100 });
    const report = formatRaceResult(result);
    expect(result.failure?.violation.kind, report).toBe('waiter-answered-early');
    expect(result.failure?.clients.some((c) => c.some((r) => r.block !== undefined)), report).toBe(true);
    expect(report).toMatch(/block \d+ ms \(wakes into (timers|io)\)/);
    const again = await checkRaces({ adapter: timeoutEmptiesQueue, rerun: result.failure!.token });
    expect(replayed(again), report).toEqual(replayed(result));
  });
});
