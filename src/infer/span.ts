import type { ExpiryTrigger } from '../model/semantics.js';

/**
 * How long after its lifetime an idle connection may still be open under `expiry` in a pool of
 * `maxSize`: 0 for a timer; for a reaper, one interval per run it may need (a capped reaper looks
 * at `maxPerRun` connections a run), plus 1 ms for `>`. Probes sleep past this to be sure an
 * expiry had its chance, whatever the trigger.
 */
export function expirySpan(expiry: ExpiryTrigger, maxSize: number): number {
  if (expiry.kind === 'timer') return 0;
  const runs = expiry.maxPerRun === null ? 1 : Math.ceil(maxSize / expiry.maxPerRun);
  return runs * expiry.intervalMs + (expiry.compare === '>' ? 1 : 0);
}
