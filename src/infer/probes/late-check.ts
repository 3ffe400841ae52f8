import { validationOf } from '../../model/semantics.js';
import { ProbeSession } from '../session.js';
import type { Probe, ProbeResult } from '../types.js';

const TIMEOUT_MS = 50;
const QUERY_MS = 100;

/**
 * What an acquire deadline over the wait and the connect does to an async check in flight: an
 * idle connection taken by an acquire with a 50 ms timeout, whose check takes 100 ms. Rejected at
 * 50 ms with the connection closed before the check answered: `'closed'`; rejected with the
 * connection still open then: `'kept'`. Still pending then: the deadline does not bound the
 * check, which no value says: a contradiction.
 */
export const lateCheckProbe: Probe = {
  name: 'late-check',
  fields: ['capabilities.lateCheck'],
  needs: ['validation', 'capabilities.slowQuery', 'capabilities.acquireTimeoutCovers'],
  async run(context): Promise<ProbeResult> {
    const caps = context.known.capabilities;
    if (validationOf(context.known) !== 'async' || caps?.slowQuery !== true || caps.acquireTimeoutCovers !== 'wait-and-connect') return { kind: 'found', findings: [], patch: {} };
    const made = await ProbeSession.with(context.adapter, { minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: TIMEOUT_MS }, async (s) => {
      const id = await s.acquire();
      await s.release(id);
      s.connector.faults?.delayNextQuery?.(QUERY_MS);
      const pending = s.issue();
      await s.sleep(TIMEOUT_MS + 1);
      const rejected = pending.outcome !== null && !pending.outcome.ok;
      const closedAt = s.destroyedAt(id);
      await s.sleep(QUERY_MS);
      return { rejected, closed: closedAt !== null, story: `an acquire with a ${TIMEOUT_MS} ms timeout, checking idle connection #${id} with a ${QUERY_MS} ms query, was ${rejected ? 'rejected at the deadline' : 'not rejected at the deadline'}, and #${id} was ${closedAt === null ? 'still open then' : `closed at ${closedAt} ms`}` };
    });
    if (!made.created) return { kind: 'found', findings: [], patch: {} };
    if (!made.value.rejected) return { kind: 'contradiction', contradiction: { field: 'capabilities.lateCheck', probe: this.name, observation: `${made.value.story}: a deadline over the wait and the connect that does not bound the check, which no value of lateCheck says` } };
    const late = made.value.closed ? 'closed' : 'kept';
    return { kind: 'found', findings: [{ field: 'capabilities.lateCheck', value: late, evidence: made.value.story }], patch: { capabilities: { lateCheck: late } } };
  },
};
