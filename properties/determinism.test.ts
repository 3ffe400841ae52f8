import { afterEach, describe, expect, it } from 'vitest';
import { adapter } from '../fixtures/mutants/timer-not-cancelled-on-acquire.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check, type CheckResult } from '../src/runner/check.js';

afterEach(() => uninstallAllClocks());

/** Everything a result says, but the wall time. */
function stable(result: CheckResult): unknown {
  return { ...result, wallMs: 0 };
}

describe('determinism', () => {
  it('the same seed gives the same runs, commands and virtual time', async () => {
    const a = await check({ adapter: ownPoolAdapter(), seed: 42, numRuns: 50 });
    const b = await check({ adapter: ownPoolAdapter(), seed: 42, numRuns: 50 });
    expect(stable(b)).toEqual(stable(a));
  });

  it('the same seed gives the same counterexample, step for step', async () => {
    const a = await check({ adapter, seed: 5 });
    const b = await check({ adapter, seed: 5 });
    expect(a.passed).toBe(false);
    expect(stable(b)).toEqual(stable(a));
  });

  it('the printed seed and path replay the shrunk failure directly', async () => {
    const first = await check({ adapter, seed: 5 });
    const failure = first.failure;
    if (failure === null) throw new Error('poolcheck: the mutant was not caught');
    const replay = await check({ adapter, seed: first.seed, path: failure.path, ...(failure.replayPath === null ? {} : { replayPath: failure.replayPath }) });
    expect(replay.runs).toBe(1);
    expect(replay.failure?.violation).toEqual(failure.violation);
    expect(replay.failure?.steps).toEqual(failure.steps);
  });
});
