import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter, type OwnAdapterOptions } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { PoolConfig } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * An acquire deadline the pool polls for (`acquireTimeoutCheck: { kind: 'poll' }`), over the wait,
 * the connect and an async check, with blocked loops drawn across a check that will fail: as the
 * loop wakes, the poll may have been due at any instant of the block (it reads the clock as it
 * runs, so before the deadline too), before the check's failure or after it, when the retry the
 * failure set off (another idle connection's check, or a connect) had begun. The model tries the
 * readings, the poll first, at the deadline, or after every overdue timer, and keeps the one the
 * real calls and the connector's log agree with: the checks begun in the step, and whether a
 * connect took the pending faults.
 */
const variants: Record<string, OwnAdapterOptions> = {
  'the check kept': { validation: 'async', acquireTimeoutCoversConnect: true, acquireTimeoutPollMs: 25 },
  'the check closed': { validation: 'async', acquireTimeoutCoversConnect: true, acquireTimeoutPollMs: 25, closeTimedOutChecks: true },
  'the check closed, hand-offs checked too': { validation: 'async', acquireTimeoutCoversConnect: true, acquireTimeoutPollMs: 25, closeTimedOutChecks: true, validateHandoffs: true },
};

type Steps = readonly Record<string, unknown>[];

describe('a blocked loop across a failing check, under a polled deadline', () => {
  for (const [name, options] of Object.entries(variants)) {
    it.each(PASS_SEEDS)(`the own pool polling every 25 ms with ${name}, declared so, passes with seed %i`, async (seed) => {
      const adapter = ownPoolAdapter(options);
      expect(adapter.semantics.capabilities).toMatchObject({ acquireTimeoutCheck: { kind: 'poll', everyMs: 25 }, acquireTimeoutCovers: 'wait-and-connect', slowQuery: true, failedValidation: true });
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    });
  }

  // Shrunk traces that fuzz campaigns (3000 runs) found while the model had them wrong.
  it.each<[string, string, PoolConfig, Steps]>([
    // The poll came after the failing check's timer: the retry took #2 into a check, whose reply
    // came after the poll; kept, #2 went back to idle at the wake, its idle clock restarted.
    ['the retry\'s check of the next idle connection begun before the poll, kept', 'the check kept', { minSize: 2, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 1 }, [{ op: 'slowNextQuery', ms: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'blockingSleep', ms: 1000, acquireOnWake: false, phase: 'timers' }]],
    // The same, closed: the poll closed #2 under its retry's check.
    ['the retry\'s check of the next idle connection begun before the poll, closed', 'the check closed', { minSize: 2, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 1 }, [{ op: 'slowNextQuery', ms: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'blockingSleep', ms: 25, acquireOnWake: false, phase: 'timers' }]],
    // The poll was due at 25 ms, before the deadline at 1000 ms and with the failing check's
    // timer: it rejected the acquire before the failure could set off a retry's connect.
    ['a poll due before the deadline comes before the failing check at the wake', 'the check kept', { minSize: 1, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 1000 }, [{ op: 'slowNextQuery', ms: 25 }, { op: 'failNextValidation' }, { op: 'slowNextConnect', ms: 1 }, { op: 'burst', count: 2 }, { op: 'blockingSleep', ms: 1000, acquireOnWake: false, phase: 'timers' }]],
    // A failed connect handed its slot to the waiter, whose slow connect began (the log's
    // connect-began) before the poll cut it short: rejected all the same, the connect in flight.
    ['a waiter handed capacity at the wake, its connect then cut short by the poll', 'the check kept', { minSize: 0, maxSize: 1, lifetimeMs: 0, acquireTimeoutMs: 1 }, [{ op: 'failNextConnect' }, { op: 'slowNextConnect', ms: 1 }, { op: 'burst', count: 2 }, { op: 'slowNextConnect', ms: 1 }, { op: 'blockingSleep', ms: 26, acquireOnWake: false, phase: 'timers' }]],
    ['the same, its abandoned connect landing in the next block', 'the check kept', { minSize: 0, maxSize: 1, lifetimeMs: 0, acquireTimeoutMs: 1000 }, [{ op: 'failNextConnect' }, { op: 'slowNextConnect', ms: 1 }, { op: 'burst', count: 2 }, { op: 'slowNextConnect', ms: 1 }, { op: 'blockingSleep', ms: 1000, acquireOnWake: false, phase: 'timers' }, { op: 'blockingSleep', ms: 1, acquireOnWake: false, phase: 'timers' }]],
    // No block: the failing check's retry takes the pending connect fault, the poll rejecting it.
    ['a failing check\'s retry connect fails, the poll after it', 'the check kept', { minSize: 3, maxSize: 3, lifetimeMs: 1, acquireTimeoutMs: 1 }, [{ op: 'slowNextQuery', ms: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'failNextConnect' }, { op: 'sleep', ms: 1 }, { op: 'acquire' }]],
    // Read late, the poll is still a timer: it comes before the reply of the retry's check.
    ['a poll read late comes before the retry check\'s reply', 'the check closed, hand-offs checked too', { minSize: 1, maxSize: 3, lifetimeMs: 0, acquireTimeoutMs: 1 }, [{ op: 'burst', count: 2 }, { op: 'slowNextQuery', ms: 2 }, { op: 'slowNextConnect', ms: 3 }, { op: 'release', connection: 1 }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 2 }, { op: 'blockingSleep', ms: 26, acquireOnWake: false, phase: 'timers' }]],
    // After the wake, a hand-off's check of a waiter whose polled deadline has passed answers at
    // once: the poll is not due, and only a deadline's overdue timer came before a reply.
    ['a hand-off checked after the wake, its polled deadline past', 'the check closed, hand-offs checked too', { minSize: 3, maxSize: 3, lifetimeMs: 1000, acquireTimeoutMs: 1 }, [{ op: 'burst', count: 4 }, { op: 'blockingSleep', ms: 1, acquireOnWake: false, phase: 'timers' }, { op: 'release', connection: 1 }]],
    // The poll came after an aborted acquire's connect landed for the next waiter: read first,
    // before that landing, it would have freed a slot the waiter took instead.
    ['a poll after a landing for a waiter', 'the check closed', { minSize: 1, maxSize: 3, lifetimeMs: 1000, acquireTimeoutMs: 1000 }, [{ op: 'slowNextQuery', ms: 1 }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'burst', count: 4 }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'blockingSleep', ms: 1000, acquireOnWake: false, phase: 'timers' }, { op: 'acquire' }]],
    // The same with the check failing at 25 ms: the poll, due then too and set first, came
    // between the landing (1 ms) and the failure, which set off no retry.
    ['a poll between a landing for a waiter and a failing check', 'the check closed', { minSize: 1, maxSize: 3, lifetimeMs: 1000, acquireTimeoutMs: 1000 }, [{ op: 'slowNextQuery', ms: 25 }, { op: 'failNextValidation' }, { op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'burst', count: 4 }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'blockingSleep', ms: 1000, acquireOnWake: false, phase: 'timers' }, { op: 'acquire' }]],
    // One poll rejected seven acquires at the wake, after a hand-off's failing check (due at 2 ms)
    // set off a slow connect: each read at its own window's end, the model let a freed slot serve
    // a waiter the poll had rejected.
    ['one poll after every overdue timer, for every acquire it rejected', 'the check closed, hand-offs checked too', { minSize: 0, maxSize: 1, lifetimeMs: 1000, acquireTimeoutMs: 1000 }, [{ op: 'burst', count: 4 }, { op: 'sleep', ms: 1 }, { op: 'slowNextConnect', ms: 1 }, { op: 'slowNextQuery', ms: 1 }, { op: 'burst', count: 4 }, { op: 'failNextValidation' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: 1025, acquireOnWake: false, phase: 'timers' }]],
  ])('%s replays clean', async (_name, variant, config, steps) => {
    const outcome = await replay(ownPoolAdapter(variants[variant]!), config, steps);
    expect(outcome.violation?.message ?? null).toBeNull();
  });
});
