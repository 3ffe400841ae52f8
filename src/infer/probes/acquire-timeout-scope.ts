import type { PoolAdapter } from '../../adapters/types.js';
import { ProbeSession } from '../session.js';
import type { Finding, Probe, ProbeResult } from '../types.js';

const TIMEOUT_MS = 50;
const CONNECT_MS = 100;

/**
 * What the acquire timeout bounds, measured: an acquire below max whose connect takes 100 ms, with
 * a 50 ms timeout. Served at 100 ms: the wait only. Rejected at 50 ms: the wait and the connect;
 * then what became of the connection that landed for nobody (`lateConnect`): kept, or closed; and
 * where the pool can discard a connection, whether a connect that started late for a waiter has a
 * timer of its own (kept when it lands before that timer: `own-timeout`).
 */
export const acquireTimeoutScopeProbe: Probe = {
  name: 'acquire-timeout-scope',
  fields: ['capabilities.acquireTimeoutCovers', 'capabilities.lateConnect'],
  needs: ['capabilities.acquireTimeout'],
  async run(context): Promise<ProbeResult> {
    if ((context.known.capabilities?.acquireTimeout ?? null) === null) {
      return { kind: 'found', findings: [{ field: 'capabilities.acquireTimeoutCovers', value: 'wait', evidence: 'no acquire timeout' }], patch: {} };
    }
    const first = await lateLanding(context.adapter, false);
    if (first === null) return { kind: 'found', findings: [], patch: {} };
    const covers = first.rejected ? 'wait-and-connect' : 'wait';
    const findings: Finding[] = [{ field: 'capabilities.acquireTimeoutCovers', value: covers, evidence: first.story }];
    if (covers === 'wait') return { kind: 'found', findings, patch: { capabilities: { acquireTimeoutCovers: 'wait' } } };
    let late: 'kept' | 'closed' | 'own-timeout' = first.kept ? 'kept' : 'closed';
    let story = first.story;
    if (!first.kept && typeof context.adapter.destroy === 'function' && context.known.capabilities?.destroy === true) {
      const second = await lateLanding(context.adapter, true);
      if (second !== null && second.kept) late = 'own-timeout';
      if (second !== null) story += `; ${second.story}`;
    }
    findings.push({ field: 'capabilities.lateConnect', value: late, evidence: story });
    return { kind: 'found', findings, patch: { capabilities: { acquireTimeoutCovers: 'wait-and-connect', lateConnect: late } } };
  },
};

/**
 * A connect slower than the acquire timeout: for a fresh acquire, or (`late`) for a waiter whose
 * connect starts 60 ms into its wait, when the connection it waited behind is discarded.
 */
async function lateLanding(adapter: PoolAdapter, late: boolean): Promise<{ rejected: boolean; kept: boolean; story: string } | null> {
  const timeout = late ? 150 : TIMEOUT_MS;
  const made = await ProbeSession.with(adapter, { minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: timeout }, async (s) => {
    let holder: number | null = null;
    if (late) holder = await s.acquire();
    s.connector.faults?.delayNextConnect(CONNECT_MS);
    const pending = s.issue();
    if (late && holder !== null) {
      await s.sleep(60);
      await adapter.destroy?.(s.pool, (s as unknown as { lent: Map<number, unknown> }).lent.get(holder));
    }
    await s.sleep(late ? 60 + CONNECT_MS + 10 : CONNECT_MS + 10);
    const opened = s.events.filter((e) => e.type === 'create').map((e) => e.id).filter((id) => id !== holder);
    const landed = opened[0];
    const rejected = pending.outcome !== null && !pending.outcome.ok;
    const kept = landed !== undefined && s.destroyedAt(landed) === null;
    const what = late ? `a waiter with a ${timeout} ms timeout, whose ${CONNECT_MS} ms connect started 60 ms into its wait,` : `an acquire with a ${timeout} ms timeout and a ${CONNECT_MS} ms connect`;
    const story = `${what} was ${rejected ? 'rejected' : pending.outcome?.ok === true ? `served #${pending.outcome.id}` : 'still pending'}${landed === undefined ? '' : `, and the connection #${landed} that landed was ${kept ? 'kept' : 'closed'}`}`;
    return { rejected, kept, story };
  });
  return made.created ? made.value : null;
}
