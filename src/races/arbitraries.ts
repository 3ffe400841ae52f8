import fc from 'fast-check';
import { abortOf, capabilitiesOf, validationOf, type PoolConfig, type Semantics } from '../model/semantics.js';
import { WAKE_PHASES, type WakePhase } from '../model/handoff.js';
import { drawsZeroLifetime } from '../runner/configs.js';
import type { ClientProgram, ClientRound, RaceFault } from './types.js';

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
 * {@link raceConfigArb} with a lifetime of 0 in about one run in four, for a pool that declares
 * what 0 means (`zeroLifetime`): expiry off, due at once, a default, or a pool that refuses it,
 * whose creation must then fail. Shrinks toward the lifetimes above.
 */
function withZeroLifetime(configs: fc.Arbitrary<PoolConfig>): fc.Arbitrary<PoolConfig> {
  return fc.tuple(configs, fc.nat(3)).map(([config, n]) => (n === 3 ? { ...config, lifetimeMs: 0 } : config));
}

/**
 * {@link raceConfigArb}, with an acquire timeout of 1–20 ms (around the sleeps, so waiters time
 * out in the middle of the interleaving) where the pool declares one and its connects can be slow
 * (`slowConnect`): always where it is required, in about half the runs where it is optional. A
 * pool whose timeout abandons a connect (`lateConnect` `'closed'` or `'own-timeout'`) has the
 * server open it for nobody until it lands; the race's count at the server leaves it out from
 * when the pool may have given it up (see `RaceWorld`).
 */
export function raceConfigArbFor(semantics: Semantics): fc.Arbitrary<PoolConfig> {
  const can = capabilitiesOf(semantics);
  const timeout = can.acquireTimeout;
  const base = drawsZeroLifetime(semantics) ? withZeroLifetime(raceConfigArb) : raceConfigArb;
  if (timeout === null || !can.slowConnect) return base;
  const ms = fc.integer({ min: 1, max: 20 });
  const drawn = timeout === 'required' ? ms : fc.option(ms, { nil: undefined });
  return fc.tuple(base, drawn).map(([config, acquireTimeoutMs]) => (acquireTimeoutMs === undefined ? config : { ...config, acquireTimeoutMs }));
}

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

/**
 * One pause in four is a blocked loop that wakes into a phase, `timers` or `io`, so overdue
 * expiry timers fire on the wake, before or after the immediates queued then. Shrinks toward an
 * async sleep.
 */
const blockArb: fc.Arbitrary<WakePhase | null> = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...WAKE_PHASES) });

const roundArb: fc.Arbitrary<ClientRound> = fc
  .record({
    pause: sleepArb,
    queries: fc.integer({ min: 0, max: 2 }),
    hold: sleepArb,
    // One round in four discards its connection; shrinks toward a plain release.
    discard: fc.nat(3).map((n) => n === 3),
    block: blockArb,
  })
  .map(({ block, ...round }): ClientRound => (block === null || round.pause === 0 ? round : { ...round, block }));

/**
 * {@link raceClientsArb}, with aborts and faults where the pool declares them: one round in four
 * aborts its acquire, one in four injects a fault first. Both shrink toward none.
 */
export function raceClientsArbFor(semantics: Semantics): fc.Arbitrary<readonly ClientProgram[]> {
  const can = capabilitiesOf(semantics);
  const faults: fc.Arbitrary<RaceFault>[] = [];
  if (can.failedConnect) faults.push(fc.constant({ kind: 'failNextConnect' as const }));
  if (can.slowConnect) faults.push(fc.integer({ min: 1, max: 12 }).map((ms) => ({ kind: 'slowNextConnect' as const, ms })));
  if (can.failedValidation === true && validationOf(semantics) !== 'none') faults.push(fc.constant({ kind: 'failNextValidation' as const }));
  if (can.slowQuery === true && validationOf(semantics) === 'async') faults.push(fc.integer({ min: 1, max: 12 }).map((ms) => ({ kind: 'slowNextQuery' as const, ms })));
  const aborts = abortOf(semantics) !== null;
  if (faults.length === 0 && !aborts) return raceClientsArb;
  const extra = fc.record({
    abort: aborts ? fc.nat(3).map((n) => n === 3) : fc.constant(false),
    fault: faults.length === 0 ? fc.constant(null) : fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(...faults) }),
  });
  const round = fc.tuple(roundArb, extra).map(([base, { abort, fault }]): ClientRound => ({ ...base, ...(abort ? { abort } : {}), ...(fault === null ? {} : { fault }) }));
  return fc.array(fc.array(round, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 });
}

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
