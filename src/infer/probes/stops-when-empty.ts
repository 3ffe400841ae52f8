import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import { expirySpan } from '../span.js';
import type { Probe, ProbeResult } from '../types.js';

const LIFETIME_MS = 100;
const TIMEOUT_MS = 50;
const CONNECT_MS = 100;

/**
 * Whether a reaper that starts at the first acquire stops when a run finds the pool empty
 * (`expiry.stopsWhenEmpty`). Connection #1 expires and leaves the pool empty; then an acquire
 * times out during its slow connect, whose connection lands for nobody. A reaper that stopped is
 * started again only by an acquire served, so that connection stays open past its lifetime.
 * Only a pool whose connect goes on after its acquire gave up can tell.
 */
export const stopsWhenEmptyProbe: Probe = {
  name: 'stops-when-empty',
  fields: ['expiry.stopsWhenEmpty'],
  needs: ['expiry', 'capabilities.slowConnect', 'capabilities.acquireTimeoutCovers', 'capabilities.lateConnect'],
  async run(context): Promise<ProbeResult> {
    const field = 'expiry.stopsWhenEmpty';
    const { expiry, capabilities: caps } = context.known;
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, false, evidence);
    if (expiry.kind !== 'reaper' || expiry.startsOn !== 'first-acquire') return leftOut('only a reaper started by an acquire is modelled as stopping on an empty pool');
    if (caps?.slowConnect !== true || (caps.acquireTimeout ?? null) === null || caps.acquireTimeoutCovers !== 'wait-and-connect' || (caps.lateConnect ?? 'kept') !== 'kept') {
      return leftOut('no connection can open for nobody here (that needs slow connects kept after their acquire timed out), so a stopped reaper cannot be told from a running one');
    }
    const span = expirySpan(expiry, 1) + 10;
    const scenario: Scenario = {
      config: { minSize: 0, maxSize: 1, lifetimeMs: LIFETIME_MS, acquireTimeoutMs: TIMEOUT_MS },
      commands: [
        { op: 'acquire' },
        { op: 'release', connection: 1 },
        { op: 'sleep', ms: LIFETIME_MS + span },
        { op: 'slowNextConnect', ms: CONNECT_MS },
        { op: 'acquire' },
        { op: 'sleep', ms: CONNECT_MS },
        { op: 'sleep', ms: LIFETIME_MS + span },
      ],
    };
    return chooseByOracle(context, { name: this.name, field }, scenario, [
      { value: false, patch: {} },
      { value: true, patch: { expiry: { ...expiry, stopsWhenEmpty: true } } },
    ]);
  },
};
