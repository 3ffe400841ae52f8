import { normalizeZeroLifetime, type PoolConfig, type Semantics } from '../model/semantics.js';
import { violation, type Violation } from '../model/violation.js';
import type { Harness } from './harness.js';
import { describeError } from './settle-call.js';

/** Whether this run's pool must refuse its configuration: a lifetime of 0 it declares it refuses. */
export function createMustFail(config: PoolConfig, semantics: Semantics): boolean {
  return config.lifetimeMs === 0 && normalizeZeroLifetime(semantics.zeroLifetime) === 'create-fails';
}

/**
 * Creates a pool that must refuse to be created: it must reject with an Error, and leave nothing
 * behind (no connection open, no timer pending). A pool it did create is terminated. Returns the
 * violation, or `null` when the pool refused as declared.
 */
export async function createRefused(h: Harness, config: PoolConfig): Promise<Violation | null> {
  const what = `create pool (min ${config.minSize}, max ${config.maxSize}, lifetime 0 ms)`;
  h.current = what;
  let outcome: { ok: true; pool: unknown } | { ok: false; error: unknown } | null = null;
  (async () => h.adapter.create({ config, connector: h.connector }))().then(
    (pool) => (outcome = { ok: true, pool }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  const settled = await h.clock.settle(() => outcome !== null);
  const result = outcome as { ok: true; pool: unknown } | { ok: false; error: unknown } | null;
  const now = h.clock.now();
  let found: Violation | null = null;
  if (!settled.ok || result === null) {
    found = violation('not-settled', now, `creating the pool with a lifetime of 0 did not settle: ${settled.ok ? 'still pending' : settled.reason}`);
  } else if (result.ok) {
    await h.settle(() => h.adapter.terminate(result.pool), 'terminate() of the pool that should not exist').catch(() => undefined);
    found = violation('zero-lifetime-accepted', now, 'creating the pool with a lifetime of 0 succeeded; the declared semantics say the pool refuses 0 (zeroLifetime: "create-fails"), so create must fail with an error');
  } else if (!(result.error instanceof Error) || result.error.message === '') {
    found = violation('pool-error', now, `creating the pool with a lifetime of 0 failed without an Error saying why: ${describeError(result.error)}`);
  } else {
    const live = h.connector.liveIds();
    if (live.length > 0) found = violation('leaked-connection', now, `creating the pool with a lifetime of 0 failed (${describeError(result.error)}) but left connection(s) ${live.map((id) => `#${id}`).join(', ')} open`, live[0]);
    else if (h.clock.pendingTimers() > 0) found = violation('timer-left-pending', now, `creating the pool with a lifetime of 0 failed (${describeError(result.error)}) but left ${h.clock.pendingTimers()} timer(s) pending`);
  }
  if (h.record) {
    const observed = result === null ? 'pending' : result.ok ? 'created' : `rejected: ${describeError(result.error)}`;
    h.trace.push({ index: 0, command: what, at: now, predicted: 'rejected with an error (declared: zeroLifetime "create-fails")', observed, ...(found === null ? {} : { violation: found.message }) });
  }
  h.current = null;
  return found;
}
