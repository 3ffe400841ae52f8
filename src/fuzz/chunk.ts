import type { PoolAdapter } from '../adapters/types.js';
import type { CommandJson } from '../commands/json.js';
import type { PoolConfig } from '../model/semantics.js';
import type { Violation } from '../model/violation.js';
import { check, type Progress } from '../runner/check.js';
import { configArbFromRanges } from '../runner/config-ranges.js';
import type { ChunkJob } from './plan.js';

/** What one chunk found, as plain data: it crosses from a worker thread to the main thread. */
export interface ChunkResult {
  readonly job: ChunkJob;
  readonly runs: number;
  readonly commands: number;
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly failure: ChunkFailure | null;
}

export interface ChunkFailure {
  readonly violation: Violation;
  readonly config: PoolConfig;
  readonly steps: readonly CommandJson[];
  readonly path: string;
  readonly replayPath: string | null;
  /** Whether the shrunk case failed again when replayed; one that did not is not saved. */
  readonly reproduced: boolean;
}

/**
 * Runs one chunk: `check()` with the chunk's seed and runs. check() stops at the first failure and
 * shrinks it, so a chunk finds at most one case; the next chunk goes on with fresh runs.
 */
export async function runChunk(adapter: PoolAdapter, job: ChunkJob, onProgress?: (p: Progress) => void): Promise<ChunkResult> {
  const configs = job.ranges === undefined ? {} : { configs: configArbFromRanges(job.ranges) };
  const result = await check({ adapter, seed: job.seed, numRuns: job.runs, ...configs, ...(onProgress === undefined ? {} : { onProgress }) });
  const f = result.failure;
  return {
    job,
    runs: result.runs,
    commands: result.commands,
    virtualMs: result.virtualMs,
    wallMs: result.wallMs,
    failure: f === null ? null : { violation: f.violation, config: f.config, steps: f.commandList, path: f.path, replayPath: f.replayPath, reproduced: f.reproduced },
  };
}
