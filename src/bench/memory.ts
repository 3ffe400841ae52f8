/**
 * Memory over a long campaign: `check()` on the own pool for many runs, the heap (after a full
 * collection) and the RSS sampled at intervals, and the slope of each. A leak of even a few bytes
 * per run shows as a steady slope; flat memory has none beyond noise.
 */
import { getHeapCodeStatistics } from 'node:v8';
import { ownPoolAdapter } from '../adapters/own.js';
import { check } from '../runner/check.js';
import { mib, slope } from './stats.js';

/** check() calls of the warm-up: enough that code run once per call (options, arbitraries, clock) reaches its final tier. */
const WARM_UP_CALLS = 200;

export async function benchMemory(totalRuns: number, samples = 20): Promise<void> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('bench: the memory part needs node --expose-gc (npm run bench passes it)');
  const adapter = ownPoolAdapter();
  const per = Math.max(1, Math.round(totalRuns / samples));
  console.log(`memory over ${per * samples} runs of the own pool: heap after a full GC and RSS, every ${per} runs`);
  // The warm-up fills V8's code space and pg-mem's caches: a one-off, not a trend. Heap snapshots
  // taken 20,000 runs apart after a single warm-up call showed no object kept per run, only
  // compiled code and its metadata (literal boilerplates in feedback vectors among it) for what
  // runs once per check() call: that code is optimised late, after many calls, so the warm-up
  // makes many short calls rather than one long one.
  const warmUpRuns = Math.max(1, Math.floor(per / WARM_UP_CALLS));
  for (let i = 0; i < WARM_UP_CALLS; i++) await check({ adapter, numRuns: warmUpRuns, seed: -1 - i });
  const heap: { x: number; y: number }[] = [];
  const rss: { x: number; y: number }[] = [];
  // V8's compiled code and its metadata (bytecode, deopt data, feedback) live in the heap too; the
  // rest is what the runs allocate, where a leak would show.
  const objects: { x: number; y: number }[] = [];
  for (let i = 1; i <= samples; i++) {
    await check({ adapter, numRuns: per, seed: i });
    gc();
    const m = process.memoryUsage();
    heap.push({ x: i * per, y: m.heapUsed });
    rss.push({ x: i * per, y: m.rss });
    const code = getHeapCodeStatistics();
    objects.push({ x: i * per, y: m.heapUsed - code.code_and_metadata_size - code.bytecode_and_metadata_size });
    if (i % Math.max(1, Math.round(samples / 5)) === 0) console.log(`  after ${i * per} runs: heap ${mib(m.heapUsed)}, RSS ${mib(m.rss)}`);
  }
  const per10k = (points: { x: number; y: number }[]): string => `${(slope(points) * 10_000 / 1024).toFixed(1)} KiB per 10,000 runs`;
  console.log(`  heap slope               ${per10k(heap)} (${mib(heap[0]!.y)} to ${mib(heap.at(-1)!.y)})`);
  console.log(`  heap outside code        ${per10k(objects)} (${mib(objects[0]!.y)} to ${mib(objects.at(-1)!.y)}; the heap less V8's code and bytecode with their metadata, which grow until every function has its final tier)`);
  console.log(`  RSS slope                ${per10k(rss)} (${mib(rss[0]!.y)} to ${mib(rss.at(-1)!.y)})`);
}
