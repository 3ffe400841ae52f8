/**
 * A campaign is a fixed sequence of chunks: chunk k runs a fixed number of `check()` runs under a
 * seed derived from the campaign seed and k. Shard i/n takes the chunks with k ≡ i − 1 (mod n),
 * so shards never repeat each other's work, and the chunks a process runs do not depend on how
 * many workers run them.
 */
import type { ConfigRanges } from '../runner/config-ranges.js';

/** Runs per chunk: small enough to hand out evenly and stop soon after Ctrl-C, large enough that handing out costs nothing. */
export const DEFAULT_CHUNK_RUNS = 100;

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export interface ChunkJob {
  /** Which of the campaign's adapters. */
  readonly adapter: number;
  /** The chunk's place in the campaign (across every shard). */
  readonly k: number;
  /** The fast-check seed of the chunk. */
  readonly seed: number;
  readonly runs: number;
  /** Ranges for the drawn configuration (--min, --lifetime, a config file), as plain data for workers. */
  readonly ranges?: ConfigRanges;
}

/** The seed of chunk k: a 32-bit mix of the campaign seed and k, so neighbouring chunks draw unrelated runs. */
export function chunkSeed(campaignSeed: number, k: number): number {
  let h = fmix32((campaignSeed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(k + 1, 0x85ebca6b));
  return h | 0;
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The jobs of one shard, in the order they are handed out: chunk by chunk, every adapter in turn,
 * so a time budget is shared evenly. With `runsPerAdapter`, the shard runs that many runs of each
 * adapter (the last chunk shorter); without it, the sequence is endless and a time budget ends it.
 */
export function* shardJobs(options: { seed: number; shard: Shard; adapters: number; chunkRuns: number; runsPerAdapter?: number }): Generator<ChunkJob> {
  const { seed, shard, adapters, chunkRuns, runsPerAdapter } = options;
  for (let j = 0; ; j++) {
    const left = runsPerAdapter === undefined ? chunkRuns : runsPerAdapter - j * chunkRuns;
    if (left <= 0) return;
    const k = shard.index - 1 + j * shard.count;
    for (let adapter = 0; adapter < adapters; adapter++) yield { adapter, k, seed: chunkSeed(seed, k), runs: Math.min(chunkRuns, left) };
  }
}
