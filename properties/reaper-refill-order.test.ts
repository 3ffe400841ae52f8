import genericPool from 'generic-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { genericPoolAdapter } from '../src/adapters/generic-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { replay } from '../src/runner/replay.js';

afterEach(() => uninstallAllClocks());

/*
 * A refill begun at a reaper run inside a sleep lands before a slow connect begun earlier, which
 * the model saw land as the sleep's timers ran, before the log told it of the run: the refill's
 * connection is idle first, and a FIFO pool lends it first.
 */
describe('a reaper run\'s refill landing before an earlier slow connect, in one sleep', () => {
  // The wake at 1002 ms closes #1 and #2; the refill's first connect lands at once (#3), its second
  // is slow (lands at 2004 ms). The run at 2002 ms closes #3 and refills one, landing at 2003 ms
  // (#4), before the slow one (#5): generic-pool's available list is #4, #5 (Pool.js:563-570).
  const steps = [
    { op: 'slowNextConnect', ms: 1002 },
    { op: 'blockingSleep', ms: 1002, acquireOnWake: false, phase: 'timers' },
    { op: 'slowNextConnect', ms: 1 },
    { op: 'sleep', ms: 1002 },
    { op: 'acquire' },
  ];
  for (const validation of [false, true]) {
    it(`generic-pool${validation ? ' with its validation on' : ''} lends the refill's connection first, as the model says`, async () => {
      const outcome = await replay(genericPoolAdapter({ genericPool, validation }) as PoolAdapter, { minSize: 2, maxSize: 2, lifetimeMs: 1 }, steps);
      // The model ranked the refill's connection by when the log told it, after the slow one.
      expect(outcome.violation).toBeNull();
      const acquire = outcome.trace.find((step) => step.command === 'acquire()');
      expect(acquire?.predicted).toMatch(/^#1 gets #4;/);
      expect(acquire?.observed).toMatch(/^#1 got #4;/);
    });
  }
});
