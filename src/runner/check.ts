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
import { PropertyViolationError } from './violation-error.js';
import { validateCheckOptions } from './validate.js';

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
  /** Configurations to draw. Default: minSize 0–3, maxSize 1–10, lifetimes 0 to minutes. */
  readonly configs?: fc.Arbitrary<PoolConfig>;
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
  if (!Number.isInteger(n) || n < 1) throw new Error(`poolcheck: POOLCHECK_RUNS must be a whole number >= 1, got '${raw}'`);
  return n;
}

/**
 * Model-checks one adapter: random command sequences under a fake clock, compared after every
 * command with the reference model. Returns a value; nothing is thrown for a failing pool.
 */
export async function check(options: CheckOptions): Promise<CheckResult> {
  validateCheckOptions(options);
  const { adapter } = options;
  const makeConnector = options.connector ?? createPgMemConnector;
  const configs = configsFor(adapter.semantics, options.configs ?? defaultConfigArb);
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  let commands = 0;
  let virtualMs = 0;
  let runs = 0;
  let failed = false;
  // Commands come first: fast-check shrinks the first argument first, and the commands shrinker
  // only considers the commands that ran in the first failing run. Shrinking the configuration
  // first can let more commands run, which that shrinker would then never offer to remove.
  const property = fc.asyncProperty(fc.commands([poolCommandArb(adapter.semantics)], { maxCommands: options.maxCommands ?? 100, size: 'max', ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }) }), configs, async (cmds, config) => {
    const run = await runOnce(adapter, config, cmds as Iterable<PoolCommand>, makeConnector);
    commands += run.commands;
    virtualMs += run.virtualMs;
    runs++;
    failed ||= run.violation !== null;
    options.onProgress?.({ runs, commands, virtualMs, failed });
    if (run.violation !== null) throw new PropertyViolationError(run.violation);
  });
  const started = performance.now();
  // One fake clock for every run, reset between them, instead of one installed per run.
  const release = keepFakeClockInstalled();
  try {
    const details = await fc.check(property, {
      numRuns: options.numRuns ?? runsFromEnv(),
      seed,
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.runTimeoutMs === undefined ? {} : { timeout: options.runTimeoutMs }),
      ...(options.shrink === false ? { endOnFailure: true } : {}),
    });
    const wallMs = performance.now() - started;
    const base = { adapter: adapter.name, runs: details.numRuns, seed: details.seed, commands, virtualMs, wallMs };
    if (!details.failed) return { ...base, passed: true, failure: null };
    return { ...base, passed: false, failure: await describeFailure(adapter, makeConnector, details) };
  } finally {
    release();
  }
}

async function describeFailure(
  adapter: PoolAdapter,
  makeConnector: ConnectorFactory,
  details: fc.RunDetails<[Iterable<fc.AsyncCommand<never, never>>, PoolConfig]>,
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
    return { violation: found, config: { minSize: 0, maxSize: 0, lifetimeMs: 0 }, steps: [], length: 0, commandList: [], commands: '', path, replayPath: null, shrinks: details.numShrinks, reproduced: false };
  }
  const [cmds, config] = details.counterexample;
  // Replay the shrunk case once more to record its trace; the run is deterministic.
  const replay = await runOnce(adapter, config, cmds as Iterable<never>, makeConnector, true);
  const rendered = String(cmds);
  const replayPath = /replayPath="([^"]*)"/.exec(rendered)?.[1] ?? null;
  return {
    violation: replay.violation ?? found,
    config,
    steps: replay.trace,
    length: replay.commands,
    commandList: replay.commandList,
    commands: rendered,
    path,
    replayPath,
    shrinks: details.numShrinks,
    reproduced: replay.violation !== null,
  };
}
