import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe, ProbeResult } from '../types.js';

const TIMEOUT_MS = 50;

/**
 * When a burst that found an idle connection starts the connects for the rest of it: inside each
 * acquire call (the default, left out), or once the whole burst was issued (`'after-burst'`). A
 * failing connect as slow as the acquire timeout, then a burst of three at max 2 with one idle
 * connection: the second acquire's connect fails at the very instant the third's timeout fires, and
 * whichever timer was set first decides whether the third is served by a retry or timed out.
 */
export const burstConnectsProbe: Probe = {
  name: 'burst-connects',
  fields: ['capabilities.burstConnects'],
  needs: ['reuse', 'capabilities.waiters', 'capabilities.acquireTimeout', 'capabilities.failedConnect', 'capabilities.slowConnect', 'capabilities.acquireTimeoutCovers'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.burstConnects';
    const caps = context.known.capabilities;
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, 'in-call', evidence);
    if (caps?.waiters !== true || caps.acquireTimeout === null || caps.failedConnect !== true || caps.slowConnect !== true) {
      return leftOut('a failing connect and a waiter\'s timeout falling due at one instant need waiters, an acquire timeout, and failed and slow connects together, which this pool does not all have');
    }
    const scenario: Scenario = {
      config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: TIMEOUT_MS },
      commands: [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'failNextConnect' }, { op: 'slowNextConnect', ms: TIMEOUT_MS }, { op: 'burst', count: 3 }, { op: 'sleep', ms: TIMEOUT_MS }],
    };
    return chooseByOracle(context, { name: this.name, field }, scenario, [
      { value: 'in-call', patch: {} },
      { value: 'after-burst', patch: { capabilities: { burstConnects: 'after-burst' } } },
    ]);
  },
};
