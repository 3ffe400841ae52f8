import fc from 'fast-check';
import type { Harness, ModelBox } from '../runner/harness.js';
import { AcquireCommand } from './acquire.js';
import { AsyncSleepCommand } from './async-sleep.js';
import { BlockingSleepCommand } from './blocking-sleep.js';
import { CloseCommand } from './close.js';
import { QueryCommand } from './query.js';
import { ReleaseCommand } from './release.js';
import { sleepSpecArb } from './sleep-spec.js';
import { TerminateCommand } from './terminate.js';
import type { Describable } from './json.js';

export type PoolCommand = fc.AsyncCommand<ModelBox, Harness> & Describable;

export { AcquireCommand, AsyncSleepCommand, BlockingSleepCommand, CloseCommand, QueryCommand, ReleaseCommand, TerminateCommand };
export { closeGracefully } from './close.js';
export type { SleepSpec } from './sleep-spec.js';
export type { CommandJson, Describable } from './json.js';

/**
 * Every command, weighted. Close and terminate end a run, so they are rare enough that a run
 * usually gets thirty or more steps in before them; a run that does not close is closed by the
 * runner, so close is checked at the end of every run anyway. Queries only prove an in-use connection still
 * works, and cost pg-mem far more than any other step, so they are the rarest of the rest. Each draw makes a new command object,
 * because a command remembers what it resolved to for its `toString`.
 */
export const poolCommandArb: fc.Arbitrary<PoolCommand> = fc.oneof(
  { weight: 16, arbitrary: fc.constant(null).map((): PoolCommand => new AcquireCommand()) },
  { weight: 16, arbitrary: fc.nat(9).map((pick): PoolCommand => new ReleaseCommand(pick)) },
  { weight: 2, arbitrary: fc.nat(9).map((pick): PoolCommand => new QueryCommand(pick)) },
  { weight: 16, arbitrary: sleepSpecArb.map((spec): PoolCommand => new AsyncSleepCommand(spec)) },
  { weight: 8, arbitrary: fc.tuple(sleepSpecArb, fc.boolean()).map(([spec, acquire]): PoolCommand => new BlockingSleepCommand(spec, acquire)) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant(null).map((): PoolCommand => new CloseCommand()),
      fc.constant(null).map((): PoolCommand => new TerminateCommand()),
    ),
  },
);
