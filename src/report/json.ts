import type { PoolAdapter } from '../adapters/types.js';
import type { CommandJson } from '../commands/json.js';
import type { CheckResult, Progress } from '../runner/check.js';

/** The adapter a SIGINT or SIGTERM cut short, with how far its check got. */
export interface Interrupted {
  readonly adapter: PoolAdapter;
  readonly signal: 'SIGINT' | 'SIGTERM';
  readonly progress: Progress;
}

/**
 * The versioned JSON form of check results (`poolcheck check --json`). Fields are only ever added
 * within a schema version; a rename or removal bumps it.
 */
export const CHECK_SCHEMA = 'poolcheck/check@1';

export interface CheckJson {
  readonly schema: typeof CHECK_SCHEMA;
  readonly passed: boolean;
  /** Set when a signal cut the check short: the signal; the last result is the adapter it stopped. */
  readonly interrupted?: 'SIGINT' | 'SIGTERM';
  readonly results: readonly {
    readonly adapter: string;
    readonly semantics: PoolAdapter['semantics'];
    readonly passed: boolean;
    /** Present on the adapter a signal stopped before its verdict: it did not pass. */
    readonly interrupted?: true;
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

export function toJson(results: readonly { result: CheckResult; adapter: PoolAdapter }[], interrupted: Interrupted | null = null): CheckJson {
  const stopped =
    interrupted === null
      ? []
      : [{ adapter: interrupted.adapter.name, semantics: interrupted.adapter.semantics, passed: false, interrupted: true as const, runs: interrupted.progress.runs, seed: 0, commands: interrupted.progress.commands, virtualMs: interrupted.progress.virtualMs, wallMs: 0, failure: null }];
  return {
    schema: CHECK_SCHEMA,
    passed: interrupted === null && results.every(({ result }) => result.passed),
    ...(interrupted === null ? {} : { interrupted: interrupted.signal }),
    results: [...results.map(({ result, adapter }) => ({
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
    })), ...stopped],
  };
}
