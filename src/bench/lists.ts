/**
 * Saved command lists for the bench's per-command comparison: runs drawn by poolcheck's own
 * generators, recorded once with every choice resolved, then replayed by poolcheck (every check)
 * and by the bare driver (none) alike.
 */
import fc from 'fast-check';
import type { PoolAdapter } from '../adapters/types.js';
import { commandFromJson } from '../commands/from-json.js';
import { poolCommandArb, type CommandJson, type PoolCommand } from '../commands/index.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { PoolConfig } from '../model/semantics.js';
import { configsFor, defaultConfigArb } from '../runner/configs.js';
import { runOnce, type ConnectorFactory } from '../runner/run-once.js';
import type { StepTimes } from './stats.js';

export interface SavedRun {
  readonly config: PoolConfig;
  readonly list: readonly CommandJson[];
}

/** `count` passing runs of `adapter`, drawn from `seed`, as command lists. */
export async function recordRuns(adapter: PoolAdapter, count: number, seed: number): Promise<SavedRun[]> {
  const arb = fc.tuple(fc.commands([poolCommandArb(adapter.semantics)], { maxCommands: 100, size: 'max' }), configsFor(adapter.semantics, defaultConfigArb));
  const saved: SavedRun[] = [];
  for (const [cmds, config] of fc.sample(arb, { numRuns: count, seed })) {
    const run = await runOnce(adapter, config, cmds as Iterable<PoolCommand>, createPgMemConnector, true);
    if (run.violation !== null) throw new Error(`bench: the recorded run failed: ${run.violation.message}`);
    saved.push({ config, list: run.commandList });
  }
  return saved;
}

/**
 * Replays a saved run with every check, as `poolcheck replay` does, without the trace. With
 * `times`, each step's time is added to it under its op.
 */
export async function replayChecked(adapter: PoolAdapter, run: SavedRun, makeConnector: ConnectorFactory = createPgMemConnector, times?: StepTimes): Promise<number> {
  const commands = run.list.map((json) => (times === undefined ? (commandFromJson(json) as PoolCommand) : timed(commandFromJson(json) as PoolCommand, json.op, times)));
  const outcome = await runOnce(adapter, run.config, commands, makeConnector, false, true);
  if (outcome.violation !== null) throw new Error(`bench: a saved run failed on replay: ${outcome.violation.message}`);
  return outcome.commands;
}

/** `command`, its run timed into `times`: for the breakdown by step, not for the timed rounds. */
function timed(command: PoolCommand, op: string, times: StepTimes): PoolCommand {
  const run = command.run.bind(command);
  command.run = (m, h) => times.time(op, () => run(m, h));
  return command;
}
