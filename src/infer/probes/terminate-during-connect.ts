import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe, ProbeResult } from '../types.js';

/**
 * What terminate() does to an acquire whose connect is in flight: rejects it at once
 * (`'rejects'`), or when the connect lands (`'rejects-on-landing'`); either way the connection is
 * closed as it lands. Left out when neither fits (terminate is then only drawn with no connect in
 * flight). Needs slow connects to hold a connect in flight.
 */
export const terminateDuringConnectProbe: Probe = {
  name: 'terminate-during-connect',
  fields: ['capabilities.terminateDuringConnect'],
  needs: ['capabilities.slowConnect', 'capabilities.terminateRejectsWaiters'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.terminateDuringConnect';
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, undefined, evidence);
    if (context.known.capabilities?.slowConnect !== true) return leftOut('no slow connects, so no connect can be in flight at a terminate');
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
