import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe, ProbeContext, ProbeResult } from '../types.js';

/**
 * What close() does to an acquire whose connect is in flight: `'serves'` when the connection lands,
 * the acquire gets it and close waits for its release; `'rejects'` when the acquire is rejected
 * at the close and the connection closed as it lands. Left out otherwise (close is then only
 * drawn with no connect in flight). Needs slow connects to hold a connect in flight.
 */
export const closeDuringConnectProbe: Probe = {
  name: 'close-during-connect',
  fields: ['capabilities.closeDuringConnect'],
  needs: ['capabilities.slowConnect', 'capabilities.closeRejectsWaiters', 'capabilities.connectServes', 'capabilities.acquireTimeout', 'gracefulClose'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.closeDuringConnect';
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, undefined, evidence);
    if (context.known.capabilities?.slowConnect !== true) return leftOut('no slow connects, so no connect can be in flight at a close');
    const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000 };
    const scenarios: Scenario[] = [{ config, commands: [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }] }];
    // With a waiter behind the connect as well, as a run's closing step may find it, where close
    // is drawn with waiters (a pool that leaves them alone has them served before it closes).
    const closesWithWaiters = (context.known.capabilities?.closeRejectsWaiters ?? false) !== false;
    if (context.known.capabilities?.waiters === true && closesWithWaiters) scenarios.push({ config, commands: [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'close' }] });
    if (context.known.capabilities?.connectServes === 'queue-head') return landsIdle(context, closesWithWaiters);
    const found = await chooseByOracle(context, { name: this.name, field }, scenarios, [
      { value: 'serves', patch: { capabilities: { closeDuringConnect: 'serves' } } },
      { value: 'rejects', patch: { capabilities: { closeDuringConnect: 'rejects' } } },
    ]);
    if (found.kind === 'found') return found;
    return leftOut(found.contradiction.observation);
  },
};

/**
 * Where connects serve the queue head, a connect in flight is no acquire's: `'lands-idle'` is the
 * one value, held to the close of a pool with a connect in flight behind a waiter (where close is
 * drawn with waiters), or behind an acquire that timed out.
 */
async function landsIdle(context: ProbeContext, closesWithWaiters: boolean): Promise<ProbeResult> {
  const field = 'capabilities.closeDuringConnect';
  const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000 };
  const timeout = context.known.capabilities?.acquireTimeout ?? null;
  if (!closesWithWaiters && timeout === null) return leftAtDefault(field, undefined, 'close is drawn with nobody waiting, and with no acquire timeout every connect in flight has a waiter behind it');
  const scenario: Scenario = closesWithWaiters
    ? { config, commands: [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }] }
    : { config: { ...config, acquireTimeoutMs: 50 }, commands: [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'sleep', ms: 50 }, { op: 'close' }] };
  const found = await chooseByOracle(context, { name: 'close-during-connect', field }, scenario, [{ value: 'lands-idle', patch: { capabilities: { closeDuringConnect: 'lands-idle' } } }]);
  return found.kind === 'found' ? found : leftAtDefault(field, undefined, found.contradiction.observation);
}
