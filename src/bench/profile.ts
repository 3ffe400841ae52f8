/**
 * Where the per-command difference goes by part of the code: both sides of the overhead part
 * replayed under V8's sampling profiler, each sample put down to the part it ran in, and under its
 * sampling heap profiler for the bytes each side allocates per command.
 */
import { Session } from 'node:inspector/promises';
import type { HeapProfiler, Profiler } from 'node:inspector';

/** The parts of the code a sample is put down to, in the order the bench prints them. */
export const CODE_PARTS = ['model', 'harness', 'commands', 'bench', "pool's side", 'collector', 'node and V8', 'idle'] as const;
export type CodePart = (typeof CODE_PARTS)[number];

/**
 * The part of the code a script belongs to, by its URL, or `null` for node's own modules, whose
 * time goes to the part that called them. The pool's side is everything both sides run alike: the
 * pool, the adapter, the fake clock (poolcheck's and fake-timers), the connector and pg-mem.
 */
export function partOfUrl(url: string): CodePart | 'profiler' | null {
  // Starting and stopping the profiler (it serialises the profile as it stops) is no side's work.
  if (/\/src\/bench\/profile\.[jt]s$/.test(url)) return 'profiler';
  const own = /\/src\/(model|runner|commands|bench|pool|clock|connectors|adapters)\//.exec(url);
  if (own !== null) return OWN_PARTS[own[1]!]!;
  // Anything else installed, the bench's own build (in node_modules/.cache) being matched above.
  if (url.includes('/node_modules/')) return "pool's side";
  return null;
}

const OWN_PARTS: Readonly<Record<string, CodePart>> = {
  model: 'model',
  runner: 'harness',
  commands: 'commands',
  bench: 'bench',
  pool: "pool's side",
  clock: "pool's side",
  connectors: "pool's side",
  adapters: "pool's side",
};

/** V8's own entries, which are leaves under the root: the collector, idle, and code V8 cannot name. */
const SPECIAL: Readonly<Record<string, CodePart>> = { '(garbage collector)': 'collector', '(idle)': 'idle', '(program)': 'node and V8', '(root)': 'node and V8' };

/**
 * Milliseconds per part in `profile`. A sample goes to the innermost frame of the stack whose
 * script has a part: node's internals (a promise's machinery, a message port) count for the code
 * that called them. What no frame claims, as the async glue between awaits, is node's and V8's;
 * what the profiler's own calls take is left out.
 */
export function msByPart(profile: Profiler.Profile): Map<CodePart, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Each node's part once, not once per sample.
  const parts = new Map<number, CodePart | 'profiler'>();
  const partOf = (id: number): CodePart | 'profiler' => {
    const known = parts.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id)!;
    const special = node.callFrame.url === '' ? SPECIAL[node.callFrame.functionName] : undefined;
    const up = parent.get(id);
    const part = special ?? partOfUrl(node.callFrame.url) ?? (up === undefined ? 'node and V8' : partOf(up));
    parts.set(id, part);
    return part;
  };
  const ms = new Map<CodePart, number>(CODE_PARTS.map((part) => [part, 0]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const part = partOf(samples[i]!);
    if (part === 'profiler') continue;
    ms.set(part, ms.get(part)! + (deltas[i] ?? 0) / 1000);
  }
  return ms;
}

/** The bytes a sampling heap profile saw allocated, collected objects included. */
export function bytesAllocated(profile: HeapProfiler.SamplingHeapProfile): number {
  let bytes = 0;
  const walk = (node: HeapProfiler.SamplingHeapProfileNode): void => {
    bytes += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return bytes;
}

/** A profiler on this thread, for the bench's own passes. */
export class ProfilerSession {
  private readonly session = new Session();

  constructor() {
    this.session.connect();
  }

  /** `work`, run under the CPU profiler sampling every `intervalUs` µs; returns its profile. */
  async cpu(work: () => Promise<void>, intervalUs = 100): Promise<Profiler.Profile> {
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.session.post('Profiler.start');
    try {
      await work();
    } catch (error) {
      await this.stopCpu();
      throw error;
    }
    return this.stopCpu();
  }

  private async stopCpu(): Promise<Profiler.Profile> {
    const { profile } = await this.session.post('Profiler.stop');
    await this.session.post('Profiler.disable');
    return profile;
  }

  /** `work`, run under the sampling heap profiler; returns the bytes it allocated, by estimate. */
  async allocated(work: () => Promise<void>): Promise<number> {
    // Node 20's V8 takes these two, which its typings lack: without them the profile holds only
    // the objects still alive at its end, where every allocation is what is asked.
    const params: HeapProfiler.StartSamplingParameterType & { includeObjectsCollectedByMajorGC: boolean; includeObjectsCollectedByMinorGC: boolean } = {
      samplingInterval: 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    };
    await this.session.post('HeapProfiler.startSampling', params);
    try {
      await work();
    } catch (error) {
      await this.session.post('HeapProfiler.stopSampling');
      throw error;
    }
    const { profile } = await this.session.post('HeapProfiler.stopSampling');
    return bytesAllocated(profile);
  }

  close(): void {
    this.session.disconnect();
  }
}
