/**
 * A fuzz worker thread: loads the campaign's adapters itself (adapter objects cannot cross
 * threads; their sources can), then runs the chunks the main thread hands it, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PoolAdapter } from '../adapters/types.js';
import { loadAdapter, type AdapterSource } from '../corpus/adapter-ref.js';
import { flushCompileCache, useCompileCache } from '../connectors/compile-cache.js';
import { runChunk } from './chunk.js';
import type { ToWorker } from './executor.js';

const port = parentPort;
if (port === null) throw new Error('poolcheck: src/fuzz/worker is a worker thread, started by the fuzz campaign');
const { sources, compileCache } = workerData as { sources: AdapterSource[]; compileCache: string | undefined };
// Each worker loads pg-mem afresh; the command line's code cache, where it is on, spares it the
// compile. A campaign started from the library writes no cache.
if (compileCache !== undefined) useCompileCache({ POOLCHECK_COMPILE_CACHE: compileCache });
// Every adapter starts loading now, not at its first chunk: the loading overlaps the main
// thread's own set-up, and no chunk waits for it. A load that fails is reported with the first
// chunk of that adapter (the catch only keeps it from being an unhandled rejection until then).
const adapters: Promise<PoolAdapter>[] = sources.map((source) => {
  const loading = loadAdapter(source);
  loading.catch(() => undefined);
  return loading;
});
// Progress is a message per quarter second, not per run: a run takes well under a millisecond.
const PROGRESS_EVERY_MS = 250;

port.on('message', (message: ToWorker) => {
  const { job } = message;
  let last = performance.now();
  void (async () => {
    try {
      const adapter = await adapters[job.adapter]!;
      const result = await runChunk(adapter, job, (p) => {
        const now = performance.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        port.postMessage({ type: 'progress', progress: p });
      });
      // A worker is terminated, not exited, so it writes the code cache here, once its first
      // chunk compiled what the runs use; later chunks find nothing new to write.
      flushCompileCache();
      port.postMessage({ type: 'done', result });
    } catch (error) {
      port.postMessage({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  })();
});
