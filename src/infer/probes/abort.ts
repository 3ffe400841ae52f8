import { validationOf, type AbortCapability } from '../../model/semantics.js';
import { chooseByOracle, type Scenario } from '../choose.js';
import type { Probe, ProbeContext, ProbeResult } from '../types.js';

const CONNECT_MS = 50;
const QUERY_MS = 100;

/**
 * Whether a pending acquire can be aborted through its signal, and what becomes of a connection
 * that lands for an aborted acquire. Where the pool has waiters, a waiter is aborted and the
 * connection released after goes to the next acquire; where it has slow connects, an acquire is
 * aborted while its connect is in flight, and the next acquire shows whether the connection
 * that landed was kept idle or closed. Without slow connects nothing lands late, so both values
 * of `lateConnection` fit and the output says so. Where a slow async check can be in flight, an
 * acquire is aborted during one, for `lateCheck`.
 */
export const abortProbe: Probe = {
  name: 'abort',
  fields: ['capabilities.abort'],
  needs: ['gracefulClose', 'capabilities.waiters', 'capabilities.slowConnect', 'validation', 'capabilities.slowQuery'],
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
    if (found.kind === 'found' && caps?.slowQuery === true && validationOf(context.known) === 'async') return abortedCheck(context, found.patch.capabilities?.abort ?? null, found);
    if (found.kind === 'found') {
      if (caps?.slowConnect === true) return found;
      const [finding] = found.findings;
      return { ...found, findings: [{ ...finding!, evidence: `${finding!.evidence}; without slow connects no connection lands for an aborted acquire, so what becomes of one is not seen` }] };
    }
    return offWith(found.contradiction.observation.replace(/^no value fits (.*?); /, '$1 fits no abort: '));
  },
};

/**
 * `abort.lateCheck`: an acquire whose check of an idle connection takes 100 ms is aborted; the
 * next acquire shows whether that connection went on under check (and back to idle) or was closed
 * at the abort.
 */
async function abortedCheck(context: ProbeContext, abort: AbortCapability | null, found: ProbeResult & { kind: 'found' }): Promise<ProbeResult> {
  if (abort === null) return found;
  const scenario: Scenario = { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'slowNextQuery', ms: QUERY_MS }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'sleep', ms: QUERY_MS + 10 }, { op: 'acquire' }] };
  const late = await chooseByOracle(context, { name: 'abort', field: 'capabilities.abort' }, [scenario], [
    { value: abort, patch: { capabilities: { abort } } },
    { value: { ...abort, lateCheck: 'closed' }, patch: { capabilities: { abort: { ...abort, lateCheck: 'closed' } } } },
  ]);
  return late.kind === 'found' ? late : found;
}

function offWith(evidence: string): ProbeResult {
  return { kind: 'found', findings: [{ field: 'capabilities.abort', value: null, evidence }], patch: { capabilities: { abort: null } } };
}
