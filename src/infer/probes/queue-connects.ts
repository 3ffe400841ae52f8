import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe, ProbeResult } from '../types.js';

const CONNECT_MS = 100;
const TIMEOUT_MS = 50;

/**
 * How many connects a look at the queue starts, where connects serve the queue head
 * (`queueConnects`). A slow connect for acquire #1, which times out before it lands; then
 * acquire #2: a pool that starts connects for the queue's shortfall counts the one in flight and
 * #2 waits for it; one that starts a connect per dispense opens another, and #2 gets it at once.
 * Only an acquire timeout leaves a connect in flight for nobody, so a pool without one keeps the
 * default.
 */
export const queueConnectsProbe: Probe = {
  name: 'queue-connects',
  fields: ['capabilities.queueConnects'],
  needs: ['capabilities.connectServes', 'capabilities.acquireTimeout'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.queueConnects';
    const caps = context.known.capabilities;
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, 'shortfall', evidence);
    if (caps?.connectServes !== 'queue-head') return leftOut('only a pool whose connects serve the queue head starts connects for the queue');
    if ((caps.acquireTimeout ?? null) === null) return leftOut('without an acquire timeout no connect is left in flight for nobody, which is what tells the two apart');
    const scenario: Scenario = {
      config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000, acquireTimeoutMs: TIMEOUT_MS },
      commands: [{ op: 'slowNextConnect', ms: CONNECT_MS }, { op: 'acquire' }, { op: 'sleep', ms: TIMEOUT_MS }, { op: 'acquire' }, { op: 'sleep', ms: CONNECT_MS - TIMEOUT_MS }],
    };
    const found = await chooseByOracle(context, { name: this.name, field }, scenario, [
      { value: 'shortfall', patch: { capabilities: { slowConnect: true } } },
      { value: 'one-per-dispense', patch: { capabilities: { slowConnect: true, queueConnects: 'one-per-dispense' } } },
    ]);
    if (found.kind === 'contradiction') return leftOut(`neither value fits (${found.contradiction.observation}); the slow-connect probe says why`);
    // Only how many connects start is this probe's: whether slow connects hold is the next probe's.
    return { ...found, patch: found.findings[0]!.value === 'one-per-dispense' ? { capabilities: { queueConnects: 'one-per-dispense' } } : {} };
  },
};
