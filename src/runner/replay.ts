import type { PoolAdapter } from '../adapters/types.js';
import { commandFromJson } from '../commands/from-json.js';
import type { PoolCommand } from '../commands/index.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { PoolConfig } from '../model/semantics.js';
import { runOnce, type ConnectorFactory, type RunOutcome } from './run-once.js';
import { validateCheckOptions } from './validate.js';
import { DefinitionError } from './violation-error.js';

/**
 * Replays a saved command list, with every choice fixed, against an adapter: no generators, no
 * shrinking, one run. The result is the same value a generated run gives, with its full trace.
 * A list that is not a list of commands, or a step that no longer applies, is a
 * {@link DefinitionError} naming the step.
 */
export async function replay(
  adapter: PoolAdapter,
  config: PoolConfig,
  commandList: readonly unknown[],
  makeConnector: ConnectorFactory = createPgMemConnector,
): Promise<RunOutcome> {
  validateCheckOptions({ adapter });
  validateConfig(config);
  const commands: PoolCommand[] = commandList.map((json, i) => {
    const command = commandFromJson(json);
    if (typeof command === 'string') throw new DefinitionError(`poolcheck: step ${i + 1} of the command list: ${command}`);
    return command;
  });
  return runOnce(adapter, config, commands, makeConnector, true, true);
}

function validateConfig(config: PoolConfig): void {
  const c = config as unknown as Record<string, unknown>;
  const whole = (field: string, min: number): number => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new DefinitionError(`poolcheck: config.${field} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return v;
  };
  const min = whole('minSize', 0);
  const max = whole('maxSize', 1);
  whole('lifetimeMs', 0);
  if (c['acquireTimeoutMs'] !== undefined) whole('acquireTimeoutMs', 1);
  if (min > max) throw new DefinitionError(`poolcheck: config.minSize ${min} is above config.maxSize ${max}`);
}
