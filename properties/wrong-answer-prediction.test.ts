import { afterEach, describe, expect, it } from 'vitest';
import { adapter as abandonedConnectionLeaks } from '../fixtures/mutants/abandoned-connection-leaks.js';
import { adapter as destroyLeaksSlot } from '../fixtures/mutants/destroy-leaks-slot.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * When an acquire gets a wrong answer, the model's counters for that step are still its
 * prediction: a connection it opened for the acquire counts in size, as the correct pool's does,
 * though the runner never learnt its id from the real call.
 */
describe('the counters predicted for a step whose acquire got a wrong answer', () => {
  it.each<[string, PoolAdapter, number]>([
    ['destroy leaks its slot, seed 1', destroyLeaksSlot, 1],
    ['an abandoned connection leaks, seed 4', abandonedConnectionLeaks, 4],
  ])('count the connection the model opened for it (%s)', async (_name, mutant, seed) => {
    const failure = expectCaught(await check({ adapter: mutant, seed }), 'waiter-not-served');
    expect(failure.violation.message).toMatch(/gets a new connection/);
    const last = failure.steps[failure.steps.length - 1]!;
    // The correct pool, given the same steps, shows what the model predicted.
    const fixed = await replay(ownPoolAdapter(), failure.config, failure.commandList);
    expect(fixed.violation).toBeNull();
    const same = fixed.trace.find((s) => s.index === last.index)!;
    expect(last.expected).toEqual(same.actual);
    expect(last.expected).not.toEqual(last.actual);
  });
});
