import type { PoolAdapter } from '../adapters/types.js';
import { commandFromJson } from '../commands/from-json.js';
import type { CommandJson, PoolCommand } from '../commands/index.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { PoolConfig, Semantics } from '../model/semantics.js';
import { runOnce } from '../runner/run-once.js';
import { DefinitionError } from '../runner/violation-error.js';

/** Whether the pool's behaviour on one fixed command list fits a candidate declaration. */
export type Fit = { readonly ok: true } | { readonly ok: false; readonly why: string };

/**
 * The reference model as the oracle: replays `commands` strictly (every step must apply, no
 * generator, no shrinking) against the pool, with the model reading `semantics` instead of
 * whatever the adapter declares. A candidate fits when the run ends without a violation; otherwise
 * `why` is the model's own explanation, which is the evidence that rules the candidate out.
 */
export async function fits(adapter: PoolAdapter, semantics: Semantics, config: PoolConfig, commands: readonly CommandJson[]): Promise<Fit> {
  const list: PoolCommand[] = commands.map((json, i) => {
    const command = commandFromJson(json);
    if (typeof command === 'string') throw new Error(`poolcheck infer: probe step ${i + 1}: ${command}`);
    return command;
  });
  try {
    const run = await runOnce({ ...adapter, semantics }, config, list, createPgMemConnector, false, true);
    if (run.violation === null) return { ok: true };
    // The message names the declaration it was checked against; here that is the candidate, named already.
    const message = run.violation.message.replace(/ \(declared: [^)]*\)/, '');
    return { ok: false, why: `${message} (${run.violation.kind})` };
  } catch (error) {
    // A step the candidate's model says cannot happen (an acquire it expects to wait, a release of
    // a connection it expects gone) rules the candidate out as surely as a violation does.
    if (error instanceof DefinitionError) return { ok: false, why: error.message };
    return { ok: false, why: `the pool threw: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** `acquire, acquire, release #1, ...`: a command list as evidence prints it. */
export function describeCommands(commands: readonly CommandJson[]): string {
  return commands
    .map((c) => {
      switch (c.op) {
        case 'release':
        case 'destroy':
        case 'breakIdle':
          return `${c.op} #${c.connection}`;
        case 'sleep':
          return `sleep ${c.ms} ms`;
        case 'blockingSleep':
          return `blocked ${c.ms} ms${c.acquireOnWake ? ' then acquire' : ''}`;
        case 'slowNextConnect':
          return `slow next connect ${c.ms} ms`;
        case 'slowNextQuery':
          return `slow next query ${c.ms} ms`;
        case 'abort':
          return `abort acquire #${c.acquire}`;
        case 'failNextValidation':
          return 'fail next validation';
        case 'query':
          return `query #${c.connection}`;
        case 'burst':
          return `burst ${c.count}`;
        default:
          return c.op;
      }
    })
    .join(', ');
}
