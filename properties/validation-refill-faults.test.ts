import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter, type OwnAdapterOptions } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { CommandJson } from '../src/commands/json.js';
import { replay } from '../src/runner/replay.js';

afterEach(() => uninstallAllClocks());

/*
 * An async validation with a min refilled after a discard, in a pool whose connects serve their
 * own acquire (the own pool), together with failed and slow connects. Each case is a shrunk trace
 * that `poolcheck fuzz` campaigns of 3000 runs found, where the model, not the pool, was wrong;
 * each replays clean now, with no min floor, a floor on size, or a floor on idle connections.
 */
const floors: Record<'none' | 'size' | 'idle', OwnAdapterOptions> = {
  none: { validation: 'async', minRefill: ['after-discard'] },
  size: { validation: 'async', minRefill: ['after-discard'], expiryRespectsMinSize: true, minFloorCounts: 'size' },
  idle: { validation: 'async', minRefill: ['after-discard'], expiryRespectsMinSize: true, minFloorCounts: 'idle' },
};

interface Case {
  readonly why: string;
  readonly floor: keyof typeof floors;
  readonly config: { minSize: number; maxSize: number; lifetimeMs: number };
  readonly steps: readonly CommandJson[];
}

const block = (ms: number): CommandJson => ({ op: 'blockingSleep', ms, acquireOnWake: false, phase: 'timers' });

const cases: readonly Case[] = [
  // A check that fails at once answers after the burst's refused connect has failed: the refill
  // its close calls for does not count that connect in flight (it did for a destroy, which
  // decides within the burst's synchronous stretch).
  {
    why: 'a failed check\'s refill after a refused connect earlier in the burst (no floor)',
    floor: 'none',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'sleep', ms: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'release', connection: 3 }, { op: 'failNextConnect' }, { op: 'burst', count: 2 }],
  },
  {
    why: 'the same with min = max = 3',
    floor: 'none',
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'sleep', ms: 1 }, { op: 'acquire' }, { op: 'failNextConnect' }, { op: 'release', connection: 4 }, { op: 'burst', count: 2 }],
  },
  {
    why: 'the same with an idle floor',
    floor: 'idle',
    config: { minSize: 1, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'burst', count: 3 }],
  },
  {
    why: 'the same with an idle floor and min 2',
    floor: 'idle',
    config: { minSize: 2, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'failNextConnect' }, { op: 'burst', count: 3 }],
  },
  {
    why: 'the same behind five acquires in use',
    floor: 'idle',
    config: { minSize: 1, maxSize: 7, lifetimeMs: 1 },
    steps: [{ op: 'acquire' }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'failNextConnect' }, { op: 'release', connection: 1 }, { op: 'burst', count: 2 }],
  },
  // A slow check's timer and a failing connect's timer due at one instant of a wake fire in the
  // order they were set: the connect set after the check was still in flight when the pool
  // decided the refill, and is not tried again for the min.
  {
    why: 'a failing refill connect set after the check, both due at the wake (a floor on size)',
    floor: 'size',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1 }, { op: 'slowNextConnect', ms: 1 }, { op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'destroy', connection: 2 }, block(1)],
  },
  {
    why: 'a failing acquire\'s connect set after the check, both due at the wake (no floor)',
    floor: 'none',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1 }, { op: 'sleep', ms: 1 }, { op: 'acquire' }, { op: 'release', connection: 3 }, { op: 'failNextValidation' }, { op: 'failNextConnect' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, block(1)],
  },
  {
    why: 'a failing refill connect due after the check at the wake (an idle floor, capped by max)',
    floor: 'idle',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1000 },
    steps: [{ op: 'acquire' }, { op: 'slowNextConnect', ms: 2 }, { op: 'failNextConnect' }, { op: 'slowNextQuery', ms: 1 }, { op: 'failNextValidation' }, { op: 'destroy', connection: 1 }, { op: 'acquire' }, block(2)],
  },
  // A refill decided as a check's timer fires opens the shortfall then: a connect for an aborted
  // acquire that lands idle later at that instant does not take the refill's place.
  {
    why: 'an aborted acquire\'s connect landing idle after a failed check\'s refill was decided',
    floor: 'idle',
    config: { minSize: 1, maxSize: 3, lifetimeMs: 0 },
    steps: [{ op: 'slowNextConnect', ms: 2 }, { op: 'slowNextQuery', ms: 2 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'sleep', ms: 2 }],
  },
  // A refill's connection, learnt from the log at the end of the step, ranks below a connection
  // that landed later in the step for an aborted acquire.
  {
    why: 'a refill that landed at 1 ms ranks below an aborted acquire\'s connect that landed at 2 ms',
    floor: 'idle',
    config: { minSize: 1, maxSize: 3, lifetimeMs: 0 },
    steps: [{ op: 'slowNextConnect', ms: 2 }, { op: 'slowNextQuery', ms: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'sleep', ms: 2 }, { op: 'burst', count: 2 }],
  },
  // Where a passing check sent its connection back to idle among a wake's timers matters only in
  // that step: a discard in a later step at the same instant counts it idle.
  {
    why: 'a connection back from an aborted check at a wake, then a break at the same instant',
    floor: 'idle',
    config: { minSize: 1, maxSize: 2, lifetimeMs: 1000 },
    steps: [{ op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, { op: 'abort', acquire: 1 }, { op: 'acquire' }, { op: 'release', connection: 2 }, block(1), { op: 'breakIdle', connection: 2 }],
  },
  {
    why: 'the same, then a destroy',
    floor: 'idle',
    config: { minSize: 1, maxSize: 3, lifetimeMs: 1000 },
    steps: [{ op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, { op: 'abort', acquire: 1 }, { op: 'burst', count: 2 }, block(1), { op: 'destroy', connection: 2 }],
  },
  {
    why: 'the same, then a check that fails',
    floor: 'idle',
    config: { minSize: 1, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'burst', count: 3 }, { op: 'slowNextQuery', ms: 1 }, { op: 'release', connection: 1 }, { op: 'acquire' }, { op: 'abort', acquire: 4 }, block(1), { op: 'release', connection: 2 }, { op: 'release', connection: 3 }, { op: 'failNextValidation' }, { op: 'acquire' }],
  },
  // The retry after a failed check takes the top idle connection: one a refill landed earlier in
  // the step is taken unless its expiry closed it first, and an idle floor may have kept it.
  {
    why: 'a refill that landed before the check, its expiry due with the check, fires after it',
    floor: 'idle',
    config: { minSize: 2, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 2 }, { op: 'failNextValidation' }, { op: 'breakIdle', connection: 1 }, { op: 'burst', count: 2 }, { op: 'release', connection: 3 }, { op: 'sleep', ms: 2 }],
  },
  {
    why: 'a refill that landed before the check, its expiry due before it, kept by the idle floor',
    floor: 'idle',
    config: { minSize: 2, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 3 }, { op: 'failNextValidation' }, { op: 'breakIdle', connection: 1 }, { op: 'burst', count: 2 }, { op: 'release', connection: 3 }, { op: 'sleep', ms: 3 }],
  },
];

describe('an async validation with a min refilled after a discard, with failed and slow connects', () => {
  for (const c of cases) {
    it(`${c.why}: replays clean (${c.floor === 'none' ? 'no floor' : `a floor on ${c.floor}`})`, async () => {
      const outcome = await replay(ownPoolAdapter(floors[c.floor]), c.config, c.steps);
      expect(outcome.violation?.message ?? null).toBeNull();
      expect(outcome.trace.length).toBeGreaterThan(c.steps.length);
    });
  }
});
