import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compileCacheDir } from '../connectors/compile-cache.js';
import type { PoolAdapter } from '../adapters/types.js';
import type { AdapterSource } from '../corpus/adapter-ref.js';
import type { Progress } from '../runner/check.js';
import { runChunk, type ChunkResult } from './chunk.js';
import type { ChunkJob } from './plan.js';

export interface ToWorker {
  readonly job: ChunkJob;
}

type FromWorker = { type: 'progress'; progress: Progress } | { type: 'done'; result: ChunkResult } | { type: 'error'; message: string };

/** Runs chunks one at a time, in this thread or in a worker thread. */
export interface Executor {
  /** Whether chunks run in the calling thread (and so starve its event loop while they run). */
  readonly inThisThread: boolean;
  run(job: ChunkJob, onProgress: (p: Progress) => void): Promise<ChunkResult>;
  /** Stops at once; a chunk in flight is dropped. */
  close(): Promise<void>;
}

/** The URL of tsx's ESM API (`tsx/esm/api`), found from here whatever the working directory. */
function tsxApi(): string {
  const main = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(main), 'dist', 'esm', 'api', 'index.mjs')).href;
}

// Captured at import, before any run installs the fake clock.
const realSetImmediate = setImmediate;

/**
 * Runs chunks in the calling thread: one worker needs no thread, and tests run from TypeScript.
 * A run waits only on microtasks and message-channel turns, which never let the event loop poll,
 * so after each chunk it yields a full turn: saves, signals and progress get their chance.
 */
export function inProcessExecutor(adapters: readonly PoolAdapter[]): Executor {
  return {
    inThisThread: true,
    async run(job, onProgress) {
      const result = await runChunk(adapters[job.adapter]!, job, onProgress);
      await new Promise((resolve) => realSetImmediate(resolve));
      return result;
    },
    close: async () => undefined,
  };
}

/**
 * Runs chunks in a worker thread. From `dist/` the worker is plain JavaScript; from the TypeScript
 * sources (tests, `tsx`) it is `worker.ts`, loaded through tsx, a dependency already.
 */
export function threadExecutor(sources: readonly AdapterSource[]): Executor {
  const js = new URL('./worker.js', import.meta.url);
  const ts = new URL('./worker.ts', import.meta.url);
  const compiled = existsSync(fileURLToPath(js));
  // The worker keeps pg-mem's code cache only where the thread that starts it does (the CLI).
  const compileCache = compileCacheDir();
  // Node 20 does not apply `--import` loader hooks to a worker's entry module, so the TypeScript
  // worker starts from a line of CommonJS that registers tsx, then imports it.
  const worker = compiled
    ? new Worker(js, { workerData: { sources, compileCache } })
    : new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(ts.href)}); });`, { eval: true, workerData: { sources, compileCache } });
  let pending: { resolve: (r: ChunkResult) => void; reject: (e: Error) => void; onProgress: (p: Progress) => void } | null = null;
  let closed = false;
  // A worker that died between chunks must refuse the next one, not leave the campaign waiting.
  let dead: Error | null = null;
  const fail = (error: Error): void => {
    const p = pending;
    pending = null;
    p?.reject(error);
  };
  worker.on('message', (message: FromWorker) => {
    if (message.type === 'progress') pending?.onProgress(message.progress);
    else if (message.type === 'done') {
      const p = pending;
      pending = null;
      p?.resolve(message.result);
    } else fail(new Error(`poolcheck: fuzz worker: ${message.message}`));
  });
  worker.on('error', (error) => fail((dead = error)));
  worker.on('exit', (code) => fail((dead = new Error(closed ? 'poolcheck: fuzz worker stopped' : `poolcheck: fuzz worker exited with code ${code}`))));
  return {
    inThisThread: false,
    run(job, onProgress) {
      if (dead !== null) return Promise.reject(dead);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject, onProgress };
        worker.postMessage({ job } satisfies ToWorker);
      });
    },
    async close() {
      closed = true;
      await worker.terminate();
    },
  };
}
