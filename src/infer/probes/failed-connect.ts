import { capabilityByOracle, off, type Scenario } from '../choose.js';
import { ProbeSession } from '../session.js';
import type { Pending } from '../session.js';
import type { Probe } from '../types.js';

const CONNECT_MS = 50;

/**
 * Whether a failed connect rejects the acquire that asked for it and frees its capacity. First the
 * oracle on the plain case. Then, since a capability must hold whatever the connector's timing, a
 * measurement the model cannot drive for every pool: a connect fails while another acquire's
 * connect is still in flight. The pool must not open a connection nobody asked for.
 */
export const failedConnectProbe: Probe = {
  name: 'failed-connect',
  fields: ['capabilities.failedConnect'],
  needs: ['gracefulClose', 'capabilities.slowConnect'],
  async run(context) {
    if (context.known.capabilities?.connectServes === 'queue-head') {
      return off('capabilities.failedConnect', 'a failed connect in a pool whose connects serve the head of the queue is not modelled yet (which waiter it rejects), so it is not probed', 'failedConnect');
    }
    const scenarios: Scenario[] = [{ config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, commands: [{ op: 'failNextConnect' }, { op: 'acquire' }, { op: 'sleep', ms: 10 }, { op: 'acquire' }] }];
    // Where the model can hold a waiter behind a connect (waiters and slow connects both on), the
    // capacity a failed connect frees must go to that waiter.
    const caps = context.known.capabilities;
    if (caps?.waiters === true && caps.slowConnect) {
      scenarios.push({ config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'slowNextConnect', ms: CONNECT_MS }, { op: 'failNextConnect' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: CONNECT_MS }] });
    }
    const plain = await capabilityByOracle(context, { name: this.name, capability: 'failedConnect' }, scenarios);
    if (plain.kind !== 'found' || plain.findings[0]?.value !== true) return plain;
    const made = await ProbeSession.with(context.adapter, { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, async (s) => {
      s.connector.faults?.delayNextConnect(CONNECT_MS);
      const a = s.issue();
      await s.clock.settle();
      s.connector.faults?.failNextConnect();
      const b = s.issue();
      await s.sleep(CONNECT_MS + 10);
      const opened = s.created();
      const answered = [a, b].filter((p) => p.outcome?.ok === true).length;
      return { opened, answered, a: a.outcome, b: b.outcome };
    });
    if (!made.created) return plain;
    const { opened, answered, a, b } = made.value;
    if (opened.length > answered) {
      return off(
        'capabilities.failedConnect',
        `acquire A waited on a ${CONNECT_MS} ms connect while acquire B's connect failed; then A ${outcomeOf(a)} and B ${outcomeOf(b)}, and the pool had opened ${opened.length} connection(s) (${opened.map((id) => `#${id}`).join(', ')}) for ${answered} acquire(s) served: one nobody asked for`,
        'failedConnect',
      );
    }
    return plain;
  },
};

function outcomeOf(outcome: Pending['outcome']): string {
  if (outcome === null) return 'was still pending';
  return outcome.ok ? `got #${outcome.id}` : `was rejected (${outcome.error})`;
}
