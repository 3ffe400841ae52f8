import fc from 'fast-check';
import type { PoolAdapter } from '../adapters/types.js';
import { poolCommandArb, type CommandJson, type PoolCommand } from '../commands/index.js';
import { keepFakeClockInstalled } from '../clock/fake.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { PoolConfig } from '../model/semantics.js';
import type { Violation } from '../model/violation.js';
import { configsFor, defaultConfigArb } from './configs.js';
import { runOnce, type ConnectorFactory } from './run-once.js';
import type { TraceStep } from './trace.js';
import { adapterDigest, decodeRerunToken, encodeRerunToken, optionsDigest, RerunMismatchError, stepsDigest, type RerunShape, type RerunToken } from './rerun.js';
import { DefinitionError, PropertyViolationError } from './violation-error.js';
import { validateCheckOptions } from './validate.js';
import { CHECK_OPTIONS, rejectUnknownOptions } from './known-options.js';

export interface CheckOptions {
  readonly adapter: PoolAdapter;
  /** Runs to try. Default: `POOLCHECK_RUNS` from the environment, else 200. */
  readonly numRuns?: number;
  /** fast-check seed; random when omitted. A failure prints the one it used. */
  readonly seed?: number;
  /** With `seed`, replays the shrunk failure directly (printed with every failure). */
  readonly path?: string;
  /** With `seed` and `path`: which of the drawn commands the shrunk failure kept (printed too). */
  readonly replayPath?: string;
  /**
   * A rerun token printed with a failure (`pc1_...`): its seed, path and replayPath, checked
   * against this adapter and these options before the run and against the failure after it. A
   * rerun that does not replay its failure throws a {@link RerunMismatchError}, never passes.
   */
  readonly rerun?: string;
  /** Configurations to draw. Default: minSize 0–3, maxSize 1–10, lifetimes 0 to minutes. */
  readonly configs?: fc.Arbitrary<PoolConfig>;
  /**
   * What identifies custom `configs` in rerun tokens (their ranges, say), so that a token made
   * under other configurations is refused; default `custom` when `configs` is given.
   */
  readonly configsKey?: string;
  /** Longest command sequence per run. Default 100. */
  readonly maxCommands?: number;
  /** Where connections come from. Default: pg-mem, a fresh in-memory database per run. */
  readonly connector?: ConnectorFactory;
  /**
   * Real-time bound per run, ms. Off by default: every settle and sleep is already bounded in
   * rounds and timers, which reports a hung pool with its trace; this only adds a last resort, at
   * a cost of about 100 µs per run.
   */
  readonly runTimeoutMs?: number;
  /**
   * Whether to shrink a failure to its shortest form. Default true. Off, the first failing run is
   * reported as it was drawn: for a test that only needs to know the pool is caught.
   */
  readonly shrink?: boolean;
  /** Called after every run (shrinking included), for progress output. */
  readonly onProgress?: (progress: Progress) => void;
}

export interface Progress {
  readonly runs: number;
  readonly commands: number;
  readonly virtualMs: number;
  readonly failed: boolean;
}

export interface CheckFailure {
  readonly violation: Violation;
  readonly config: PoolConfig;
  /** The shrunk counterexample, step by step, with the harness's own steps around it. */
  readonly steps: readonly TraceStep[];
  /** How many commands the shrunk counterexample runs. */
  readonly length: number;
  /** The shrunk counterexample as a stable JSON command list, every choice resolved. */
  readonly commandList: readonly CommandJson[];
  /** fast-check's own rendering of the shrunk commands. */
  readonly commands: string;
  readonly path: string;
  readonly replayPath: string | null;
  readonly shrinks: number;
  /** Whether the shrunk case failed again when replayed for the trace. */
  readonly reproduced: boolean;
  /** The rerun token (`pc1_...`) for `check({ rerun })` and `poolcheck check --rerun`. */
  readonly token: string;
}

export interface CheckResult {
  readonly adapter: string;
  readonly passed: boolean;
  /** Runs executed before the verdict (not counting shrinking). */
  readonly runs: number;
  readonly seed: number;
  /** Commands executed across every run, shrinking included. */
  readonly commands: number;
  /** Virtual time covered across every run, ms. */
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly failure: CheckFailure | null;
}

export const DEFAULT_RUNS = 200;

/** The number of runs from `POOLCHECK_RUNS`, else the default. */
export function runsFromEnv(fallback = DEFAULT_RUNS): number {
  const raw = process.env['POOLCHECK_RUNS'];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new DefinitionError(`poolcheck: POOLCHECK_RUNS must be a whole number >= 1, got '${raw}'; set it to a run count like 200, or unset it`);
  return n;
}

/**
 * Model-checks one adapter: random command sequences under a fake clock, compared after every
 * command with the reference model. Returns a value; nothing is thrown for a failing pool.
 */
export async function check(options: CheckOptions): Promise<CheckResult> {
  rejectUnknownOptions('check()', options, CHECK_OPTIONS);
  validateCheckOptions(options);
  const { adapter } = options;
  const makeConnector = options.connector ?? createPgMemConnector;
  const configs = configsFor(adapter.semantics, options.configs ?? defaultConfigArb);
  const shape: RerunShape = { maxCommands: options.maxCommands ?? 100, configs: options.configs === undefined ? 'default' : (options.configsKey ?? 'custom') };
  const token = options.rerun === undefined ? undefined : rerunTarget(options, shape);
  const path = token?.path ?? options.path;
  const replayPath = token === undefined ? options.replayPath : (token.replayPath ?? undefined);
  const seed = token?.seed ?? options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  let commands = 0;
  let virtualMs = 0;
  let runs = 0;
  let failed = false;
  // Commands come first: fast-check shrinks the first argument first, and the commands shrinker
  // only considers the commands that ran in the first failing run. Shrinking the configuration
  // first can let more commands run, which that shrinker would then never offer to remove.
  const property = fc.asyncProperty(fc.commands([poolCommandArb(adapter.semantics)], { maxCommands: shape.maxCommands, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) }), configs, async (cmds, config) => {
    const run = await runOnce(adapter, config, cmds as Iterable<PoolCommand>, makeConnector);
    commands += run.commands;
    virtualMs += run.virtualMs;
    runs++;
    failed ||= run.violation !== null;
    options.onProgress?.({ runs, commands, virtualMs, failed });
    if (run.violation !== null) throw new PropertyViolationError(run.violation);
  });
  const started = performance.now();
  const rerun = path === undefined ? null : { seed, path, replayPath: replayPath ?? null };
  // One fake clock for every run, reset between them, instead of one installed per run.
  const release = keepFakeClockInstalled();
  try {
    let details: fc.RunDetails<[Iterable<fc.AsyncCommand<never, never>>, PoolConfig]>;
    try {
      details = await fc.check(property, {
        numRuns: options.numRuns ?? runsFromEnv(),
        seed,
        ...(path === undefined ? {} : { path }),
        ...(options.runTimeoutMs === undefined ? {} : { timeout: options.runTimeoutMs }),
        ...(options.shrink === false ? { endOnFailure: true } : {}),
      });
    } catch (error) {
      // fast-check walks the path before any run; a path this property cannot take is not a pool failure.
      if (rerun !== null && error instanceof Error && /^Unable to replay/.test(error.message)) throw new RerunMismatchError(mismatch(adapter, rerun, `fast-check cannot walk the path (${error.message})`));
      // A replayPath from another sequence can break fast-check's replay before any run, too.
      if (rerun !== null && error instanceof Error && /replayPath/.test(error.message)) throw new RerunMismatchError(mismatch(adapter, rerun, `the replayPath does not fit the commands the path draws (${error.message})`));
      throw error;
    }
    const wallMs = performance.now() - started;
    if (rerun !== null) {
      const error = details.errorInstance;
      // A replayPath from another sequence breaks fast-check's replay inside the run.
      if (details.failed && !(error instanceof PropertyViolationError) && error instanceof Error && /replayPath/.test(error.message)) {
        throw new RerunMismatchError(mismatch(adapter, rerun, `the replayPath does not fit the commands the path draws (${error.message})`));
      }
      if (!details.failed) throw new RerunMismatchError(mismatch(adapter, rerun, 'the run they replay passes'));
    }
    const base = { adapter: adapter.name, runs: details.numRuns, seed: details.seed, commands, virtualMs, wallMs };
    if (!details.failed) return { ...base, passed: true, failure: null };
    const failure = await describeFailure(adapter, makeConnector, details, shape);
    if (token !== undefined && rerun !== null) {
      if (failure.violation.kind !== token.kind) throw new RerunMismatchError(mismatch(adapter, rerun, `the token's failure was ${token.kind}, this run fails with ${failure.violation.kind}: ${failure.violation.message}`));
      if (stepsDigest(failure.commandList) !== token.stepsDigest) throw new RerunMismatchError(mismatch(adapter, rerun, `the run fails with ${failure.violation.kind} as the token's did, but with other commands than the token's case`));
    }
    return { ...base, passed: false, failure };
  } finally {
    release();
  }
}

/** The token's seed, path and replayPath, once its adapter and options match this check's. */
function rerunTarget(options: CheckOptions, shape: RerunShape): RerunToken {
  const token = decodeRerunToken(options.rerun!);
  const { adapter } = options;
  const given: [string, unknown, unknown][] = [['seed', options.seed, token.seed], ['path', options.path, token.path], ['replayPath', options.replayPath, token.replayPath ?? undefined]];
  for (const [name, value, carried] of given) {
    if (value !== undefined && value !== carried) throw new RerunMismatchError(`poolcheck: the rerun token carries ${name} ${JSON.stringify(carried)}, but ${name} ${JSON.stringify(value)} was given too; pass the token alone`);
  }
  if (adapterDigest(adapter) !== token.adapterDigest) {
    throw new RerunMismatchError(`poolcheck: the rerun token does not match the adapter: it was made for another adapter, or for '${adapter.name}' when it declared other semantics; rerun with the --adapter printed beside the token, or run the check anew`);
  }
  if (optionsDigest(shape) !== token.optionsDigest) {
    throw new RerunMismatchError(`poolcheck: the rerun token does not match the options: it was made with other maxCommands or configurations than this check's (maxCommands ${shape.maxCommands}, configurations ${shape.configs}); rerun with the options the failure was found with`);
  }
  return token;
}

function mismatch(adapter: PoolAdapter, rerun: { seed: number; path: string; replayPath: string | null }, why: string): string {
  const what = `seed ${rerun.seed}, path ${rerun.path}${rerun.replayPath === null ? ' and no replayPath' : `, replayPath ${rerun.replayPath}`}`;
  return (
    `poolcheck: this rerun does not replay a failure of '${adapter.name}': ${why}. ` +
    `${what} do not come from one failure of this adapter with these options, or the pool no longer fails that case. ` +
    'Copy the rerun token (--rerun) or all of seed, path and replayPath from one failure\'s "cli:" line; to see whether the pool now passes, run the check without --path.'
  );
}

async function describeFailure(
  adapter: PoolAdapter,
  makeConnector: ConnectorFactory,
  details: fc.RunDetails<[Iterable<fc.AsyncCommand<never, never>>, PoolConfig]>,
  shape: RerunShape,
): Promise<CheckFailure> {
  const path = details.counterexamplePath ?? '';
  const error = details.errorInstance;
  const fallback: Violation = {
    kind: 'pool-error',
    at: 0,
    message: error instanceof Error ? `${error.name}: ${error.message}` : `property failed: ${String(error)}`,
  };
  const found = error instanceof PropertyViolationError ? error.violation : fallback;
  if (details.counterexample === null) {
    const token = encodeRerunToken({ seed: details.seed, path, replayPath: null, adapterDigest: adapterDigest(adapter), optionsDigest: optionsDigest(shape), kind: found.kind, stepsDigest: stepsDigest([]) });
    return { violation: found, config: { minSize: 0, maxSize: 0, lifetimeMs: 0 }, steps: [], length: 0, commandList: [], commands: '', path, replayPath: null, shrinks: details.numShrinks, reproduced: false, token };
  }
  const [cmds, config] = details.counterexample;
  // Replay the shrunk case once more to record its trace; the run is deterministic.
  const replay = await runOnce(adapter, config, cmds as Iterable<never>, makeConnector, true);
  const rendered = String(cmds);
  const replayPath = /replayPath="([^"]*)"/.exec(rendered)?.[1] ?? null;
  const violation = replay.violation ?? found;
  return {
    violation,
    config,
    steps: replay.trace,
    length: replay.commands,
    commandList: replay.commandList,
    commands: rendered,
    path,
    replayPath,
    shrinks: details.numShrinks,
    reproduced: replay.violation !== null,
    token: encodeRerunToken({ seed: details.seed, path, replayPath, adapterDigest: adapterDigest(adapter), optionsDigest: optionsDigest(shape), kind: violation.kind, stepsDigest: stepsDigest(replay.commandList) }),
  };
}
