/**
 * Memory over a long campaign: `check()` on the own pool for many runs, the heap (after a full
 * collection) and the RSS sampled at intervals, and the slope of each. A leak of even a few bytes
 * per run shows as a steady slope; flat memory has none beyond noise.
 */
import { ownPoolAdapter } from '../adapters/own.js';
import { check } from '../runner/check.js';
import { mib, slope } from './stats.js';

export async function benchMemory(totalRuns: number, samples = 20): Promise<void> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('bench: the memory part needs node --expose-gc (npm run bench passes it)');
  const adapter = ownPoolAdapter();
  const per = Math.max(1, Math.round(totalRuns / samples));
  console.log(`memory over ${per * samples} runs of the own pool: heap after a full GC and RSS, every ${per} runs`);
  // The first chunk fills V8's code space and pg-mem's caches: a one-off, not a trend.
  await check({ adapter, numRuns: per, seed: -1 });
  const heap: { x: number; y: number }[] = [];
  const rss: { x: number; y: number }[] = [];
  for (let i = 1; i <= samples; i++) {
    await check({ adapter, numRuns: per, seed: i });
    gc();
    const m = process.memoryUsage();
    heap.push({ x: i * per, y: m.heapUsed });
    rss.push({ x: i * per, y: m.rss });
    if (i % Math.max(1, Math.round(samples / 5)) === 0) console.log(`  after ${i * per} runs: heap ${mib(m.heapUsed)}, RSS ${mib(m.rss)}`);
  }
  const per10k = (points: { x: number; y: number }[]): string => `${(slope(points) * 10_000 / 1024).toFixed(1)} KiB per 10,000 runs`;
  console.log(`  heap slope               ${per10k(heap)} (${mib(heap[0]!.y)} to ${mib(heap.at(-1)!.y)})`);
  console.log(`  RSS slope                ${per10k(rss)} (${mib(rss[0]!.y)} to ${mib(rss.at(-1)!.y)})`);
}
