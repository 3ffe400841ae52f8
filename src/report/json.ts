import type { PoolAdapter } from '../adapters/types.js';
import type { CommandJson } from '../commands/json.js';
import type { CheckResult } from '../runner/check.js';

/**
 * The versioned JSON form of check results (`poolcheck check --json`). Fields are only ever added
 * within a schema version; a rename or removal bumps it.
 */
export const CHECK_SCHEMA = 'poolcheck/check@1';

export interface CheckJson {
  readonly schema: typeof CHECK_SCHEMA;
  readonly passed: boolean;
  readonly results: readonly {
    readonly adapter: string;
    readonly semantics: PoolAdapter['semantics'];
    readonly passed: boolean;
    readonly runs: number;
    readonly seed: number;
    readonly commands: number;
    readonly virtualMs: number;
    readonly wallMs: number;
    readonly failure: null | {
      readonly violation: { readonly kind: string; readonly at: number; readonly message: string; readonly connectionId?: number };
      readonly config: { readonly minSize: number; readonly maxSize: number; readonly lifetimeMs: number };
      readonly path: string;
      readonly replayPath: string | null;
      readonly commands: readonly CommandJson[];
      readonly steps: readonly { readonly index: number; readonly command: string; readonly at: number; readonly predicted: string; readonly observed: string; readonly violation?: string }[];
    };
  }[];
}

export function toJson(results: readonly { result: CheckResult; adapter: PoolAdapter }[]): CheckJson {
  return {
    schema: CHECK_SCHEMA,
    passed: results.every(({ result }) => result.passed),
    results: results.map(({ result, adapter }) => ({
      adapter: result.adapter,
      semantics: adapter.semantics,
      passed: result.passed,
      runs: result.runs,
      seed: result.seed,
      commands: result.commands,
      virtualMs: result.virtualMs,
      wallMs: Math.round(result.wallMs),
      failure:
        result.failure === null
          ? null
          : {
              violation: result.failure.violation,
              config: result.failure.config,
              path: result.failure.path,
              replayPath: result.failure.replayPath,
              commands: result.failure.commandList,
              steps: result.failure.steps,
            },
    })),
  };
}
