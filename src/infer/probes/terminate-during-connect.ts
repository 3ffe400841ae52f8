import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe, ProbeContext, ProbeResult } from '../types.js';

/**
 * What terminate() does to an acquire whose connect is in flight: rejects it at once
 * (`'rejects'`), or when the connect lands (`'rejects-on-landing'`); either way the connection is
 * closed as it lands. Left out when neither fits (terminate is then only drawn with no connect in
 * flight). Needs slow connects to hold a connect in flight. Where connects serve the queue head,
 * `'lands-idle'` (terminate lets each land and closes everything by the last landing).
 */
export const terminateDuringConnectProbe: Probe = {
  name: 'terminate-during-connect',
  fields: ['capabilities.terminateDuringConnect'],
  needs: ['capabilities.slowConnect', 'capabilities.terminateRejectsWaiters', 'capabilities.closeRejectsWaiters', 'capabilities.connectServes', 'capabilities.acquireTimeout'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.terminateDuringConnect';
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, undefined, evidence);
    if (context.known.capabilities?.slowConnect !== true) return leftOut('no slow connects, so no connect can be in flight at a terminate');
    if (context.known.capabilities?.connectServes === 'queue-head') return landsIdle(context);
    const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000 };
    const scenarios: Scenario[] = [{ config, commands: [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'terminate' }] }];
    const found = await chooseByOracle(context, { name: this.name, field }, scenarios, [
      { value: 'rejects', patch: { capabilities: { terminateDuringConnect: 'rejects' } } },
      { value: 'rejects-on-landing', patch: { capabilities: { terminateDuringConnect: 'rejects-on-landing' } } },
    ]);
    if (found.kind === 'found') return found;
    return leftOut(found.contradiction.observation);
  },
};

/**
 * Where connects serve the queue head, a connect in flight is no acquire's: `'lands-idle'` is the
 * one value, held to a terminate with a connection in use and a connect in flight behind a waiter
 * (where terminate is drawn with waiters), or behind an acquire that timed out.
 */
async function landsIdle(context: ProbeContext): Promise<ProbeResult> {
  const field = 'capabilities.terminateDuringConnect';
  const caps = context.known.capabilities;
  const withWaiters = caps?.terminateRejectsWaiters ?? (caps?.closeRejectsWaiters ?? false) !== false;
  const timeout = caps?.acquireTimeout ?? null;
  if (!withWaiters && timeout === null) return leftAtDefault(field, undefined, 'terminate is drawn with nobody waiting, and with no acquire timeout every connect in flight has a waiter behind it');
  const config = { minSize: 0, maxSize: 2, lifetimeMs: 60_000 };
  const scenario: Scenario = withWaiters
    ? { config, commands: [{ op: 'acquire' }, { op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'terminate' }] }
    : { config: { ...config, acquireTimeoutMs: 50 }, commands: [{ op: 'acquire' }, { op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'sleep', ms: 50 }, { op: 'terminate' }] };
  const found = await chooseByOracle(context, { name: 'terminate-during-connect', field }, scenario, [{ value: 'lands-idle', patch: { capabilities: { terminateDuringConnect: 'lands-idle' } } }]);
  return found.kind === 'found' ? found : leftAtDefault(field, undefined, found.contradiction.observation);
}
