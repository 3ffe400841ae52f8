import type fc from 'fast-check';
import type { PoolAdapter } from '../adapters/types.js';
import type { WakePhase } from '../model/handoff.js';
import type { PoolConfig } from '../model/semantics.js';
import type { Violation } from '../model/violation.js';
import type { ConnectorFactory } from '../runner/run-once.js';

/**
 * One round of a client: optionally sleep, acquire, run some queries, optionally sleep while
 * holding the connection, then release it, or discard it where the adapter has `destroy`.
 * Sleeps are in virtual ms; 0 means no sleep.
 */
export interface ClientRound {
  readonly pause: number;
  /**
   * The pause is a blocked loop, not a sleep: time passes with nothing running, then the loop
   * wakes into this phase, and the timers that came due meanwhile fire once, ordered against the
   * immediates as Node orders them there (see `WakePhase`). Left out: an async sleep.
   */
  readonly block?: WakePhase;
  readonly queries: number;
  readonly hold: number;
  readonly discard: boolean;
  /**
   * Aborts the acquire through its signal at a step the scheduler picks, if it is still pending
   * then (drawn only for pools that declare `capabilities.abort`).
   */
  readonly abort?: boolean;
  /** A fault injected at the server just before the acquire (drawn only where declared). */
  readonly fault?: RaceFault;
}

/** A fault a race injects at the server, as the sequential commands of the same names do. */
export type RaceFault =
  | { readonly kind: 'failNextConnect' }
  | { readonly kind: 'slowNextConnect'; readonly ms: number }
  | { readonly kind: 'failNextValidation' }
  | { readonly kind: 'slowNextQuery'; readonly ms: number };

/** What one concurrent client does, round after round. */
export type ClientProgram = readonly ClientRound[];

export interface RaceCheckOptions {
  readonly adapter: PoolAdapter;
  /** Runs to try. Default: `POOLCHECK_RUNS` from the environment, else 200. */
  readonly numRuns?: number;
  /** fast-check seed; random when omitted. A failure prints the one it used. */
  readonly seed?: number;
  /** With `seed`, replays the shrunk failure directly (printed with every failure). */
  readonly path?: string;
  /**
   * A race rerun token printed with a failure (`pc1_...`): its seed and path, checked against
   * this adapter and options, and the failure it must reproduce (kind and shrunk race). A rerun
   * that does not replay its failure throws a `RerunMismatchError`, never passes. Give it alone,
   * without `seed` or `path`.
   */
  readonly rerun?: string;
  /**
   * Configurations to draw. Default: minSize 0–1, maxSize 1–3, lifetime 1–10 ms, and an acquire
   * timeout of 1–20 ms where the pool declares one.
   */
  readonly configs?: fc.Arbitrary<PoolConfig>;
  /**
   * Client programs to draw. Default: 2–5 clients of 1–3 rounds each, with aborts and faults
   * where the pool declares them.
   */
  readonly clients?: fc.Arbitrary<readonly ClientProgram[]>;
  /** Where connections come from, before the scheduler wraps them. Default: pg-mem. */
  readonly connector?: ConnectorFactory;
  /** Called after every run (shrinking included), for progress output. */
  readonly onProgress?: (progress: RaceProgress) => void;
}

export interface RaceProgress {
  readonly runs: number;
  /** Scheduler decisions taken across every run. */
  readonly decisions: number;
  readonly virtualMs: number;
  readonly failed: boolean;
}

/** One line of a race trace: something the scheduler let happen, or what the pool or server did. */
export interface RaceTraceLine {
  /** Virtual ms since the run started. */
  readonly at: number;
  /** `c1`…`c5` for a client, `pool`, `server` (the connector), `scheduler`, or `harness`. */
  readonly who: string;
  readonly text: string;
  /** Set on the line where a violation was seen. */
  readonly violation?: string;
}

/** What one race run found. */
export interface RaceOutcome {
  readonly violation: Violation | null;
  readonly trace: readonly RaceTraceLine[];
  /** Scheduler decisions the run took. */
  readonly decisions: number;
  readonly virtualMs: number;
  /** For each client, the rounds it had begun when the run failed or ended. */
  readonly roundsBegun: readonly number[];
}

export interface RaceFailure {
  readonly violation: Violation;
  readonly config: PoolConfig;
  /** The shrunk client programs. */
  readonly clients: readonly ClientProgram[];
  /** The seed of the run's scheduler, which picks every next step (see `schedulerFromSeed`). */
  readonly schedulerSeed: number;
  /** The shrunk run, replayed and recorded line by line. */
  readonly trace: readonly RaceTraceLine[];
  /** Scheduler decisions in the shrunk run. */
  readonly decisions: number;
  readonly path: string;
  readonly shrinks: number;
  /** Whether the shrunk case failed again when replayed for the trace. */
  readonly reproduced: boolean;
  /** The rerun token (`pc1_...`) for `checkRaces({ rerun })` and `poolcheck check --races --rerun`. */
  readonly token: string;
}

/** The verdict of {@link checkRaces}: a value, like `CheckResult`; nothing is thrown for a failing pool. */
export interface RaceCheckResult {
  readonly adapter: string;
  readonly passed: boolean;
  /** Runs executed before the verdict (not counting shrinking). */
  readonly runs: number;
  readonly seed: number;
  /** Scheduler decisions across every run, shrinking included. */
  readonly decisions: number;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly failure: RaceFailure | null;
}
