import fc from 'fast-check';
import type { Harness, ModelBox } from '../runner/harness.js';
import { AbortCommand } from './abort.js';
import { AcquireCommand } from './acquire.js';
import { AsyncSleepCommand } from './async-sleep.js';
import { BlockingSleepCommand } from './blocking-sleep.js';
import { BreakIdleCommand } from './break-idle.js';
import { BurstCommand } from './burst.js';
import { CloseCommand } from './close.js';
import { DestroyCommand } from './destroy.js';
import { FailConnectCommand } from './fail-connect.js';
import { FailValidationCommand } from './fail-validation.js';
import { QueryCommand } from './query.js';
import { ReleaseCommand } from './release.js';
import { sleepSpecArb } from './sleep-spec.js';
import { SlowConnectCommand } from './slow-connect.js';
import { SlowQueryCommand } from './slow-query.js';
import { TerminateCommand } from './terminate.js';
import type { Describable } from './json.js';
import { WAKE_PHASES } from '../model/handoff.js';
import { abortOf, capabilitiesOf, validationOf, type Capabilities, type Semantics } from '../model/semantics.js';

export type PoolCommand = fc.AsyncCommand<ModelBox, Harness> & Describable;

export {
  AbortCommand,
  AcquireCommand,
  AsyncSleepCommand,
  BlockingSleepCommand,
  BreakIdleCommand,
  BurstCommand,
  CloseCommand,
  DestroyCommand,
  FailConnectCommand,
  FailValidationCommand,
  QueryCommand,
  ReleaseCommand,
  SlowConnectCommand,
  SlowQueryCommand,
  TerminateCommand,
};
export { closeGracefully } from './close.js';
export type { SleepSpec } from './sleep-spec.js';
export type { CommandJson, Describable } from './json.js';

/**
 * Every command the pool's declared capabilities allow, weighted. Close and terminate end a run,
 * so they are rare enough that a run usually gets thirty or more steps in before them; a run that
 * does not close is closed by the runner, so close is checked at the end of every run anyway.
 * Queries only prove an in-use connection still works, and cost pg-mem far more than any other
 * step, so they are the rarest of the rest; faults are about as rare, so that a run still spends
 * most of its steps on expiry. Commands a pool does not support are never drawn. Each draw makes
 * a new command object, because a command remembers what it resolved to for its `toString`.
 */
export function poolCommandArb(semantics: Semantics): fc.Arbitrary<PoolCommand> {
  const can = capabilitiesOf(semantics);
  const weighted: fc.WeightedArbitrary<PoolCommand>[] = [
    { weight: 16, arbitrary: fc.constant(null).map((): PoolCommand => new AcquireCommand()) },
    { weight: 16, arbitrary: fc.nat(9).map((pick): PoolCommand => new ReleaseCommand(pick)) },
    { weight: 2, arbitrary: fc.nat(9).map((pick): PoolCommand => new QueryCommand(pick)) },
    { weight: 16, arbitrary: sleepSpecArb.map((spec): PoolCommand => new AsyncSleepCommand(spec)) },
    { weight: 8, arbitrary: fc.tuple(sleepSpecArb, fc.boolean(), fc.constantFrom(...WAKE_PHASES)).map(([spec, acquire, phase]): PoolCommand => new BlockingSleepCommand(spec, acquire, phase)) },
    { weight: burstWeight(can), arbitrary: fc.integer({ min: 2, max: 4 }).map((count): PoolCommand => new BurstCommand(count)) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.constant(null).map((): PoolCommand => new CloseCommand()),
        fc.constant(null).map((): PoolCommand => new TerminateCommand()),
      ),
    },
  ];
  if (can.destroy) weighted.push({ weight: 3, arbitrary: fc.nat(9).map((pick): PoolCommand => new DestroyCommand(pick)) });
  if (can.failedConnect) weighted.push({ weight: 2, arbitrary: fc.constant(null).map((): PoolCommand => new FailConnectCommand()) });
  if (can.slowConnect) weighted.push({ weight: burstWeight(can), arbitrary: slowConnectMsArb(can).map((ms): PoolCommand => new SlowConnectCommand(ms)) });
  // A terminate that finds a connect in flight needs a slow connect just before it: where the pool
  // declares what happens then, a terminate that applies only while a connect is in flight is
  // drawn as well, so that runs reach that case without ending sooner elsewhere. (A close with a
  // connect in flight is reached anyway, by the runner's own close at the end of a run.)
  if (can.slowConnect && can.terminateDuringConnect !== undefined) weighted.push({ weight: 2, arbitrary: fc.constant(null).map((): PoolCommand => new TerminateCommand(true)) });
  if (can.brokenIdle !== false) weighted.push({ weight: 2, arbitrary: fc.nat(9).map((pick): PoolCommand => new BreakIdleCommand(pick)) });
  if (abortOf(semantics) !== null) weighted.push({ weight: 3, arbitrary: fc.nat(9).map((pick): PoolCommand => new AbortCommand(pick)) });
  if (can.failedValidation === true && validationOf(semantics) !== 'none') weighted.push({ weight: 2, arbitrary: fc.constant(null).map((): PoolCommand => new FailValidationCommand()) });
  if (can.slowQuery === true && validationOf(semantics) === 'async') weighted.push({ weight: 2, arbitrary: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 2_000 })).map((ms): PoolCommand => new SlowQueryCommand(ms)) });
  return fc.oneof(...weighted);
}

/**
 * How long a slow connect takes. Where the pool declares when a burst's connects start
 * (`burstConnects`), also exactly the acquire timeout: only a connect that fails at the very
 * instant a waiter of the same burst times out shows which timer was set first, and a uniform
 * draw gives that coincidence once in thousands of runs.
 */
function slowConnectMsArb(can: Capabilities): fc.Arbitrary<number | 'timeout'> {
  const drawn = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 2_000 }));
  return burstOrderShows(can) ? fc.oneof({ weight: 1, arbitrary: drawn }, { weight: 2, arbitrary: fc.constant('timeout' as const) }) : drawn;
}

/** Whether the pool declares when a burst's connects start, and has the timeout and slow connects that show it. */
function burstOrderShows(can: Capabilities): boolean {
  return can.burstConnects !== undefined && can.acquireTimeout !== null && can.slowConnect;
}

/**
 * Bursts, and slow connects, are drawn three times as often where they show the declared burst
 * order: the tie needs both, one after the other, in a pool with an idle connection.
 */
function burstWeight(can: Capabilities): number {
  return burstOrderShows(can) ? 6 : 2;
}
