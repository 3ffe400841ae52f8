import genericPool from 'generic-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { genericPoolAdapter } from '../src/adapters/generic-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { CommandJson } from '../src/commands/json.js';
import type { PoolConfig } from '../src/model/semantics.js';
import { replay } from '../src/runner/replay.js';

afterEach(() => uninstallAllClocks());

/*
 * A slow check that serves the queue head: generic-pool with `testOnBorrow` and a slow query
 * (`slowQuery`). Each case is a shrunk trace that seeds 1-5 or `poolcheck fuzz` campaigns found,
 * where the model, not the pool, was wrong; each replays clean now, and `observed` is what the
 * pool did that the model had not said.
 */

interface Case {
  readonly why: string;
  readonly config: PoolConfig;
  readonly steps: readonly CommandJson[];
  /** The last step whose command starts so, and what the model said and the pool showed there (`model | pool`). */
  readonly step: string;
  readonly seen: RegExp;
}

const block = (ms: number): CommandJson => ({ op: 'blockingSleep', ms, acquireOnWake: false, phase: 'timers' });

const cases: readonly Case[] = [
  {
    // At 1000 ms the evictor's run (its timer set with the pool) closes #2 and #3, idle since 0,
    // and `_ensureMinimum` opens two; then #1's check fails, is closed, opens a third, and
    // `_dispense` finds nothing available (Pool.js:181-185, 345-354): #1 gets a new connection.
    // The log shows the pool checked neither #2 nor #3 in the step.
    why: 'the look after a failed check passes over the idle connections an evictor run closed in the step',
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1000 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }],
    step: 'close() at end of run: sleep(998)',
    seen: /#1 gets a new connection; idle=2 size=3 waiting=0 \| idle=2 size=3 waiting=0$/,
  },
  {
    // At the wake at 1000 ms #1's acquire times out, #1's check passes with nobody waiting and
    // goes back to the available list as its reply comes, after the evictor's run (due at 1000 ms)
    // closed #2 and #3 and refilled with #4 and #5, which landed first (Pool.js:271-289).
    why: 'a check passed back to idle ranks beside the connections an evictor run refilled at that instant',
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1, acquireTimeoutMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, block(1000), { op: 'acquire' }],
    step: 'acquire()',
    seen: /\| #2 got #4; /,
  },
  {
    // At the wake at 2 ms #1's failing check answers as its query's timer (due at 1 ms) fires, and
    // the look after it moves #2 into a quick check; its reply comes after every overdue timer, so
    // #1's timeout (due at 2 ms) rejects it first and #2 goes back to idle.
    why: 'a quick check begun by the look after a failed check, as a blocked loop wakes, is answered after the overdue timeout',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1, acquireTimeoutMs: 2 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, block(2)],
    step: 'blockingSleep(2)',
    seen: /#1 rejected \(timed out\); idle=2 size=2 waiting=0 \| idle=2 size=2 waiting=0$/,
  },
  {
    // At the wake at 2 ms #1's check (its timer due at 1 ms) queues its reply before #2 lands (its
    // connect's timer due at 2 ms) and queues its own: the replies come in that order, so #1 goes
    // to acquire #1 and #2 to acquire #2.
    why: 'the replies of checks queued at a wake come in the order their timers fired',
    config: { minSize: 0, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'slowNextConnect', ms: 2 }, { op: 'acquire' }, { op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, block(2)],
    step: 'blockingSleep(2)',
    seen: /#1 gets #1, #2 gets a new connection; idle=0 size=2 waiting=1 \| idle=0 size=2 waiting=1$/,
  },
  {
    // #1 lands at 1 ms into a slow check; at 2 ms the acquire's timeout fires first (its timer set
    // before the query's), and #1 passes back to idle with nobody waiting: opened at 1 ms, idle
    // from 2 ms.
    why: 'a new connection whose slow check passes back to idle keeps the instant it was opened',
    config: { minSize: 0, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 2 },
    steps: [{ op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }],
    step: 'sleep(2)',
    seen: /#1 rejected \(timed out\); idle=1 size=1 waiting=0 \| idle=1 size=1 waiting=0$/,
  },
  {
    // #1 lands at 1 ms into a check of 500 ms; the acquire times out at 2 ms, and #1 passes back
    // to idle at 501 ms: the evictor's run at 1000 ms finds it idle 499 ms, under its 600 ms, and
    // the run at 2000 ms closes it (`DefaultEvictor`, idle time since `PooledResource.idle()`).
    why: 'a new connection whose slow check passes back to idle is idle from the pass, not from its landing',
    config: { minSize: 0, maxSize: 1, lifetimeMs: 600, acquireTimeoutMs: 2 },
    steps: [{ op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 500 }, { op: 'acquire' }, { op: 'sleep', ms: 2000 }],
    step: 'sleep(2000)',
    seen: /#1 rejected \(timed out\); idle=0 size=0 waiting=0 \| idle=0 size=0 waiting=0$/,
  },
  {
    // #1's check (from 643 ms) fails at 2001 ms. The evictor's run at 1000 ms closes #2, whose
    // refill is refused, and #3: the refused create is still in `_factoryCreateOperations` (it
    // fails in a later microtask), so `_ensureMinimum` counts it and opens one, #4
    // (Pool.js:345-354, 680-682). The run at 2000 ms closes #4 and opens #5 and #6; the failure
    // moves #5 into check and opens #7. The pool opened 4 and 5 connections, not 5 and 6.
    why: 'an evictor run that closes two connections opens one for the second where the first refill was refused',
    config: { minSize: 3, maxSize: 4, lifetimeMs: 642 },
    steps: [{ op: 'slowNextQuery', ms: 1358 }, { op: 'failNextValidation' }, block(643), { op: 'acquire' }, { op: 'failNextConnect' }, { op: 'sleep', ms: 1358 }],
    step: 'sleep(1358)',
    seen: /#1 gets a new connection; idle=2 size=3 waiting=0 \| idle=2 size=3 waiting=0$/,
  },
];

/*
 * Shrunk traces of `poolcheck fuzz` campaigns (3000 runs) where a run of the evictor fell in the
 * step a slow check failed: the model learns the run from the log after the step, and the look
 * after the failure shows which idle connections the run had closed (the log shows the pool
 * checked none of them), when it closed them, and what its refill (`_ensureMinimum`, Pool.js:
 * 131-150, 345-354) opened then.
 */
const evictorCases: readonly Omit<Case, 'step' | 'seen'>[] = [
  {
    why: 'the look after a failed check counts no idle connection the evictor closed before it (min 0): the queue is short one, and a new connection serves it',
    config: { minSize: 0, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1000 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 2 }, { op: 'sleep', ms: 1 }],
  },
  {
    why: 'the look after a failed check counts no idle connection the evictor closed before it, whose refill took the refused connect',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'sleep', ms: 176 }, { op: 'slowNextQuery', ms: 824 }, { op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'acquire' }],
  },
  {
    why: 'the look after a failed check takes a connection that landed idle earlier in the step, beside the waiter the check covered',
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 2 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'slowNextConnect', ms: 1 }, { op: 'destroy', connection: 2 }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }],
  },
  {
    why: "a burst's new connection checks after both acquires' timers: both time out before its reply",
    config: { minSize: 0, maxSize: 1, lifetimeMs: 0, acquireTimeoutMs: 2 },
    steps: [{ op: 'slowNextQuery', ms: 2 }, { op: 'burst', count: 2 }, { op: 'sleep', ms: 2 }],
  },
  {
    why: "an evictor refill's slow connect that landed before a check passed back to idle ranks first for reuse",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1, acquireTimeoutMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1002 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'slowNextConnect', ms: 1 }, { op: 'release', connection: 2 }, { op: 'sleep', ms: 1002 }, { op: 'acquire' }],
  },
  {
    why: "an evictor run after a failed check's timer at one wake refills the connect the check's refill saw refused",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1000, acquireTimeoutMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1 }, { op: 'failNextConnect' }, { op: 'acquire' }, { op: 'blockingSleep', ms: 1001, acquireOnWake: false, phase: 'timers' }],
  },
  {
    why: "the idle connection that expired before a failed check is not counted in the queue's shortfall",
    config: { minSize: 0, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1003 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 2 }, { op: 'sleep', ms: 1 }],
  },
  {
    why: 'a connection that landed idle and that an evictor run closed before the look is not checked by it',
    config: { minSize: 0, maxSize: 3, lifetimeMs: 1, acquireTimeoutMs: 1001 },
    steps: [{ op: 'burst', count: 2 }, { op: 'slowNextQuery', ms: 1000 }, { op: 'failNextValidation' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 1000 }],
  },
  {
    why: 'an evictor run the log shows before the look refilled at its instant: its slow connect lands for nobody',
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1001 }, { op: 'failNextValidation' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }],
  },
  {
    why: 'an evictor run the log shows before the look refilled at its instant: the look takes what landed',
    config: { minSize: 2, maxSize: 4, lifetimeMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1352 }, { op: 'failNextValidation' }, { op: 'sleep', ms: 649 }, { op: 'acquire' }, { op: 'sleep', ms: 1352 }],
  },
  {
    why: 'an evictor run the log shows before the look took the refused connect in its refill',
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1001 }, { op: 'failNextConnect' }, { op: 'acquire' }, { op: 'sleep', ms: 1 }],
  },
  {
    why: "an evictor run's slow refill connect that landed before the look is taken by it",
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'slowNextQuery', ms: 1002 }, { op: 'failNextValidation' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }],
  },
  {
    why: "an evictor run's refill connections rank for reuse as they landed",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1002 }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'sleep', ms: 2 }],
  },
  {
    why: "a failed check's refill beyond the queue lands before the look's quick check passes back to idle at a wake, and ranks first",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1, acquireTimeoutMs: 1000 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1000 }, { op: 'acquire' }, { op: 'acquire' }, block(1000), { op: 'acquire' }],
  },
  {
    why: "an evictor run that closed a landed connection refills with a slow connect, and the failed check's refill serves the waiter before its timeout",
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1, acquireTimeoutMs: 1000 },
    steps: [{ op: 'slowNextQuery', ms: 1000 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'destroy', connection: 2 }, { op: 'slowNextConnect', ms: 1 }, { op: 'sleep', ms: 1000 }],
  },
  {
    why: "a failed check's close and an evictor run's at one wake are learnt in the log's order: the run, after the check's timer, refills the refused connect",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1000 },
    steps: [{ op: 'acquire' }, { op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1 }, { op: 'release', connection: 1 }, { op: 'failNextConnect' }, { op: 'acquire' }, block(1001)],
  },
  {
    why: "a failed check's timer after an evictor run's at one wake refills what the run's refused connect left short",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1000, acquireTimeoutMs: 1000 },
    steps: [{ op: 'burst', count: 2 }, { op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 1000 }, { op: 'release', connection: 1 }, { op: 'acquire' }, block(1001)],
  },
];

describe('generic-pool with its validation on and a slow query', () => {
  for (const c of cases) {
    it(`${c.why}: replays clean`, async () => {
      const outcome = await replay(genericPoolAdapter({ genericPool, validation: true }) as PoolAdapter, c.config, c.steps);
      expect(outcome.violation?.message ?? null).toBeNull();
      const step = outcome.trace.findLast((s) => s.command.startsWith(c.step));
      expect(`${step?.predicted} | ${step?.observed}`).toMatch(c.seen);
    });
  }
});

describe('generic-pool with its validation on and a slow query, beside an evictor run', () => {
  for (const c of evictorCases) {
    it(`${c.why}: replays clean`, async () => {
      const outcome = await replay(genericPoolAdapter({ genericPool, validation: true }) as PoolAdapter, c.config, c.steps);
      expect(outcome.violation?.message ?? null).toBeNull();
      expect(outcome.trace.length).toBeGreaterThan(c.steps.length);
    });
  }
});

/*
 * With the evictor every 250 ms, several runs fall in the step a slow check is in flight: each
 * closes what the one before refilled (a lifetime of 1 ms), and the look after the failure learns
 * them all from the log.
 */
const every250: readonly Omit<Case, 'step' | 'seen'>[] = [
  {
    why: "an evictor run's refill connect that is slow and refused fails when its delay is over, and is not tried again",
    config: { minSize: 2, maxSize: 2, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 252 }, { op: 'failNextConnect' }, { op: 'acquire' }, { op: 'slowNextConnect', ms: 1 }],
  },
  {
    why: "three evictor runs in the step, each closing what the one before refilled, before the look after a failed check",
    config: { minSize: 3, maxSize: 3, lifetimeMs: 1 },
    steps: [{ op: 'failNextValidation' }, { op: 'slowNextQuery', ms: 751 }, { op: 'acquire' }, { op: 'sleep', ms: 1 }],
  },
];

describe('generic-pool with its validation on, a slow query and the evictor every 250 ms', () => {
  for (const c of every250) {
    it(`${c.why}: replays clean`, async () => {
      const outcome = await replay(genericPoolAdapter({ genericPool, validation: true, evictionRunIntervalMillis: 250 }) as PoolAdapter, c.config, c.steps);
      expect(outcome.violation?.message ?? null).toBeNull();
      expect(outcome.trace.length).toBeGreaterThan(c.steps.length);
    });
  }
});
