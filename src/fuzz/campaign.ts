import type { ConfigRanges } from '../runner/config-ranges.js';
import type { PoolAdapter } from '../adapters/types.js';
import type { AdapterSource } from '../corpus/adapter-ref.js';
import type { Expectation } from '../corpus/file.js';
import { POOLCHECK_VERSION, type Corpus, type SaveOutcome } from '../corpus/store.js';
import type { Progress } from '../runner/check.js';
import { replay } from '../runner/replay.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { ChunkFailure, ChunkResult } from './chunk.js';
import { inProcessExecutor, threadExecutor, type Executor } from './executor.js';
import { DEFAULT_CHUNK_RUNS, shardJobs, type ChunkJob, type Shard } from './plan.js';

export interface CampaignAdapter {
  readonly source: AdapterSource;
  /** Loaded in this thread: its name and semantics go into saved cases; one worker runs it here. */
  readonly adapter: PoolAdapter;
}

export interface CampaignOptions {
  readonly adapters: readonly CampaignAdapter[];
  readonly seed: number;
  readonly shard: Shard;
  /** Runs per adapter in this shard, or a wall-clock budget for the whole campaign. */
  readonly budget: { readonly runs: number } | { readonly timeMs: number };
  /** 1 runs every chunk in this thread; more start that many worker threads. */
  readonly workers: number;
  /** Where found cases are saved; `null` saves nothing (benchmarks). */
  readonly corpus: Corpus | null;
  readonly chunkRuns?: number;
  /** Ranges every chunk draws its configurations from; left out, the default draw. */
  readonly ranges?: ConfigRanges;
  /** Save new cases as known bugs kept as evidence (expect the violation found) instead of "must pass". */
  readonly evidence?: boolean;
  /** Also save each new case for this adapter, expected to pass: the pool without the bug. */
  readonly alsoFor?: CampaignAdapter;
  /** Stops handing out chunks; those in flight finish and are saved. */
  readonly signal?: AbortSignal;
  /** Drops the chunks in flight too (a second Ctrl-C); what finished is still saved. */
  readonly kill?: AbortSignal;
  /** Called often, from this thread, with the totals so far. */
  readonly onProgress?: (stats: CampaignStats) => void;
  /** Called for every case found, in campaign order, once it is saved. */
  readonly onCase?: (found: FoundCase) => void;
  /**
   * Executors to run the chunks on instead of starting `workers` new ones, left running at the
   * end: a benchmark warms them up first.
   */
  readonly executors?: readonly Executor[];
  /** The day written into provenance; default today (UTC). */
  readonly today?: string;
}

export interface CampaignStats {
  readonly runs: number;
  readonly commands: number;
  readonly virtualMs: number;
  readonly failures: number;
  readonly wallMs: number;
}

export interface FoundCase {
  readonly adapter: CampaignAdapter;
  readonly job: ChunkJob;
  readonly failure: ChunkFailure;
  /** `null` when nothing was saved: no corpus, or the shrunk case did not fail again on replay. */
  readonly saved: SaveOutcome | null;
  /** The same case saved for `alsoFor`. */
  readonly alsoSaved: SaveOutcome | null;
  /** Why the case was not saved for `alsoFor`: its steps do not apply to that pool. */
  readonly alsoSkipped: string | null;
}

export interface CampaignResult extends CampaignStats {
  readonly seed: number;
  readonly shard: Shard;
  readonly chunks: number;
  /** Per adapter, in the order given. */
  readonly perAdapter: readonly (CampaignStats & { readonly adapter: CampaignAdapter })[];
  readonly found: readonly FoundCase[];
  /** Stopped by the signal before the budget was spent. */
  readonly interrupted: boolean;
}

/**
 * Runs a fuzz campaign: the shard's chunks, handed out in order to the workers, each a `check()`
 * that shrinks what it finds. Results are committed (saved to the corpus) in campaign order,
 * whichever worker finishes first, so the same seed, shard and run budget save the same files
 * with the same provenance however many workers ran them.
 */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const chunkRuns = options.chunkRuns ?? DEFAULT_CHUNK_RUNS;
  const budget = options.budget;
  const jobs = shardJobs({ seed: options.seed, shard: options.shard, adapters: options.adapters.length, chunkRuns, ...('runs' in budget ? { runsPerAdapter: budget.runs } : {}) });
  const started = performance.now();
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const totals = { runs: 0, commands: 0, virtualMs: 0, failures: 0 };
  const perAdapter = options.adapters.map((adapter) => ({ adapter, runs: 0, commands: 0, virtualMs: 0, failures: 0, wallMs: 0 }));
  const inFlight = new Map<number, Progress>();
  const found: FoundCase[] = [];
  const finished = new Map<number, ChunkResult>();
  let handedOut = 0;
  let committed = 0;
  let chunks = 0;
  let exhausted = false;

  const stats = (): CampaignStats => {
    let { runs, commands, virtualMs } = totals;
    for (const p of inFlight.values()) {
      runs += p.runs;
      commands += p.commands;
      virtualMs += p.virtualMs;
    }
    return { runs, commands, virtualMs, failures: totals.failures, wallMs: performance.now() - started };
  };
  const stopped = (): boolean => options.signal?.aborted === true || options.kill?.aborted === true || ('timeMs' in budget && performance.now() - started >= budget.timeMs);
  const next = (): { seq: number; job: ChunkJob } | null => {
    if (exhausted || stopped()) return null;
    const n = jobs.next();
    if (n.done === true) {
      exhausted = true;
      return null;
    }
    return { seq: handedOut++, job: options.ranges === undefined ? n.value : { ...n.value, ranges: options.ranges } };
  };

  const commit = async (result: ChunkResult): Promise<void> => {
    const a = perAdapter[result.job.adapter]!;
    chunks++;
    for (const t of [totals, a]) {
      t.runs += result.runs;
      t.commands += result.commands;
      t.virtualMs += result.virtualMs;
    }
    a.wallMs += result.wallMs;
    const failure = result.failure;
    if (failure === null) return;
    totals.failures++;
    a.failures++;
    const save = async (target: CampaignAdapter, expect: Expectation): Promise<SaveOutcome | null> =>
      options.corpus === null || !failure.reproduced
        ? null
        : options.corpus.save({
            source: target.source,
            name: target.adapter.name,
            config: failure.config,
            semantics: target.adapter.semantics,
            steps: failure.steps,
            expect,
            provenance: { seed: result.job.seed, path: failure.path, replayPath: failure.replayPath, found: today, poolcheck: POOLCHECK_VERSION, shard: `${options.shard.index}/${options.shard.count}`, kind: failure.violation.kind },
          });
    const expect: Expectation = options.evidence === true ? { verdict: 'fail', violation: { kind: failure.violation.kind, message: failure.violation.message } } : { verdict: 'pass' };
    const saved = await save(a.adapter, expect);
    let alsoSaved: SaveOutcome | null = null;
    let alsoSkipped: string | null = null;
    if (options.alsoFor !== undefined && saved !== null && saved.status !== 'unsaved') {
      // Steps found on one pool may not apply to another (a release of a connection it never
      // opened); such a case would only make the replay suite fail with "does not apply".
      try {
        await replay(options.alsoFor.adapter, failure.config, failure.steps);
        alsoSaved = await save(options.alsoFor, { verdict: 'pass' });
      } catch (error) {
        if (!(error instanceof DefinitionError)) throw error;
        alsoSkipped = error.message;
      }
    }
    const c: FoundCase = { adapter: a.adapter, job: result.job, failure, saved, alsoSaved, alsoSkipped };
    found.push(c);
    options.onCase?.(c);
  };

  // Saving is serial and in campaign order; a result that arrives early waits for those before it.
  let saving = Promise.resolve();
  const arrived = (seq: number, result: ChunkResult): void => {
    finished.set(seq, result);
    saving = saving.then(async () => {
      while (finished.has(committed)) {
        const r = finished.get(committed)!;
        finished.delete(committed);
        committed++;
        await commit(r);
      }
    });
  };

  // A run budget has a known number of chunks; a thread with none to run would only cost its start.
  const chunkCount = 'runs' in budget ? options.adapters.length * Math.ceil(budget.runs / chunkRuns) : Number.POSITIVE_INFINITY;
  const executors = options.executors ?? startExecutors(options.adapters, Math.min(options.workers, chunkCount));
  const ticker = setInterval(() => options.onProgress?.(stats()), 100);
  const kill = (): void => void Promise.all(executors.map((e) => e.close()));
  options.kill?.addEventListener('abort', kill);
  try {
    await Promise.all(
      executors.map(async (executor, w) => {
        for (let item = next(); item !== null; item = next()) {
          const { seq, job } = item;
          let result: ChunkResult;
          try {
            result = await executor.run(job, (p) => {
              inFlight.set(w, p);
              options.onProgress?.(stats());
            });
          } catch (error) {
            if (options.kill?.aborted === true) return;
            throw error;
          } finally {
            inFlight.delete(w);
          }
          arrived(seq, result);
          // In this thread, a chunk's results are saved before the next starts: a run never lets
          // file writes complete, and Ctrl-C must see every case found so far already saved.
          if (executor.inThisThread) await saving;
        }
      }),
    );
  } finally {
    clearInterval(ticker);
    options.kill?.removeEventListener('abort', kill);
    if (options.executors === undefined) await Promise.all(executors.map((e) => e.close()));
  }
  // After a second Ctrl-C a dropped chunk leaves a gap; what finished after it is saved all the same.
  saving = saving.then(async () => {
    for (const seq of [...finished.keys()].sort((x, y) => x - y)) {
      const r = finished.get(seq)!;
      finished.delete(seq);
      await commit(r);
    }
  });
  await saving;
  const aborted = options.signal?.aborted === true || options.kill?.aborted === true;
  const interrupted = aborted && !exhausted && jobs.next().done !== true;
  return { seed: options.seed, shard: options.shard, chunks, perAdapter, found, interrupted, ...stats() };
}

/** One worker runs in this thread; more each get a worker thread. */
export function startExecutors(adapters: readonly CampaignAdapter[], workers: number): Executor[] {
  if (workers <= 1) return [inProcessExecutor(adapters.map((a) => a.adapter))];
  return Array.from({ length: workers }, () => threadExecutor(adapters.map((a) => a.source)));
}
