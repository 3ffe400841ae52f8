import { chooseByOracle, type Scenario } from '../choose.js';
import type { Probe, ProbeResult } from '../types.js';

const CONNECT_MS = 50;

/**
 * Whether a pending acquire can be aborted through its signal, and what becomes of a connection
 * that lands for an aborted acquire. Where the pool has waiters, a waiter is aborted and the
 * connection released after goes to the next acquire; where it has slow connects, an acquire is
 * aborted while its connect is in flight, and the next acquire shows whether the connection
 * that landed was kept idle or closed. Without slow connects nothing lands late, so both values
 * of `lateConnection` fit and the output says so.
 */
export const abortProbe: Probe = {
  name: 'abort',
  fields: ['capabilities.abort'],
  needs: ['gracefulClose', 'capabilities.waiters', 'capabilities.slowConnect'],
  async run(context) {
    const caps = context.known.capabilities;
    const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000 };
    const scenarios: Scenario[] = [];
    if (caps?.waiters === true) scenarios.push({ config, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'release', connection: 1 }, { op: 'acquire' }] });
    if (caps?.slowConnect === true) scenarios.push({ config, commands: [{ op: 'slowNextConnect', ms: CONNECT_MS }, { op: 'acquire' }, { op: 'abort', acquire: 1 }, { op: 'sleep', ms: CONNECT_MS + 10 }, { op: 'acquire' }] });
    if (scenarios.length === 0) return offWith('without waiters or slow connects no acquire stays pending, so none can be aborted');
    const found = await chooseByOracle(context, { name: this.name, field: 'capabilities.abort' }, scenarios, [
      { value: { lateConnection: 'idle' }, patch: { capabilities: { abort: { lateConnection: 'idle' } } } },
      { value: { lateConnection: 'closed' }, patch: { capabilities: { abort: { lateConnection: 'closed' } } } },
    ]);
    if (found.kind === 'found') {
      if (caps?.slowConnect === true) return found;
      const [finding] = found.findings;
      return { ...found, findings: [{ ...finding!, evidence: `${finding!.evidence}; without slow connects no connection lands for an aborted acquire, so what becomes of one is not seen` }] };
    }
    return offWith(found.contradiction.observation.replace(/^no value fits (.*?); /, '$1 fits no abort: '));
  },
};

function offWith(evidence: string): ProbeResult {
  return { kind: 'found', findings: [{ field: 'capabilities.abort', value: null, evidence }], patch: { capabilities: { abort: null } } };
}
