import fc from 'fast-check';
import type { PoolConfig } from '../model/semantics.js';
import type { ClientProgram, ClientRound } from './types.js';

/**
 * Small pools, so that a handful of clients contend for them: maxSize 1–3, minSize 0–1, and
 * lifetimes of 1–10 ms, so expiry timers fire in the middle of the interleaving rather than after it.
 */
export const raceConfigArb: fc.Arbitrary<PoolConfig> = fc.integer({ min: 1, max: 3 }).chain((maxSize) =>
  fc.record({
    minSize: fc.integer({ min: 0, max: 1 }),
    maxSize: fc.constant(maxSize),
    lifetimeMs: fc.integer({ min: 1, max: 10 }),
  }),
);

/**
 * A sleep: none, a few ms (around the 1–10 ms lifetimes, so idle timers fire before or after
 * the next acquire), or about a second, so that the reapers (every 1000 ms in the built-in
 * adapters) run too. Shrinks toward no sleep.
 */
const sleepArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: 990, max: 1010 }) },
);

const roundArb: fc.Arbitrary<ClientRound> = fc.record({
  pause: sleepArb,
  queries: fc.integer({ min: 0, max: 2 }),
  hold: sleepArb,
  // One round in four discards its connection; shrinks toward a plain release.
  discard: fc.nat(3).map((n) => n === 3),
});

/** 2–5 clients of 1–3 rounds each; shrinks toward two clients of one bare acquire–release each. */
export const raceClientsArb: fc.Arbitrary<readonly ClientProgram[]> = fc.array(fc.array(roundArb, { minLength: 1, maxLength: 3 }), {
  minLength: 2,
  maxLength: 5,
});

/**
 * fast-check's scheduler replays its choices only from the instance first generated: every clone
 * of it continues one shared random stream (fast-check 4.10, `SchedulerImplem`'s clone method), so
 * a shrunk case or a rerun by path would see other choices. A run therefore draws a seed and
 * builds its own scheduler from it, which makes the same choices every time it is built.
 */
export const schedulerSeedArb: fc.Arbitrary<number> = fc.noShrink(fc.integer());

/** A fresh fast-check scheduler that makes the choices `seed` stands for. */
export function schedulerFromSeed(seed: number): fc.Scheduler {
  const [scheduler] = fc.sample(fc.scheduler(), { seed, numRuns: 1 });
  if (scheduler === undefined) throw new Error('poolcheck races: fast-check sampled no scheduler');
  return scheduler;
}
