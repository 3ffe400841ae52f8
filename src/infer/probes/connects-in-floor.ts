import { minOf } from '../../model/semantics.js';
import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import { expirySpan } from '../span.js';
import type { Probe, ProbeResult } from '../types.js';

const LIFETIME_MS = 100;

/**
 * Whether a floor on size counts a connect in flight (`connectsInFloor`). At min 1, connection #1
 * goes idle while a slow connect is in flight for nobody's sake but the queue's, and comes due
 * before it lands: a floor that counts the connect sees two and lets #1 expire; one that counts
 * open connections only sees one, at min, and keeps it. Only a pool with a floor on size and slow
 * connects can tell.
 */
export const connectsInFloorProbe: Probe = {
  name: 'connects-in-floor',
  fields: ['capabilities.connectsInFloor'],
  needs: ['expiry', 'min', 'capabilities.slowConnect', 'capabilities.connectServes', 'capabilities.acquireTimeout'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.connectsInFloor';
    const known = context.known;
    const caps = known.capabilities;
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, true, evidence);
    if (minOf(known).floor !== 'size' || caps?.slowConnect !== true || caps.waiters !== true) {
      return leftOut('only a floor on size, in a pool with slow connects and a queue, meets a connect in flight beside an idle connection that comes due');
    }
    const wait = LIFETIME_MS + expirySpan(known.expiry, 2) + 10;
    const connect = wait + 100;
    // Where a connect serves the queue, the release hands #1 to acquire #2, whose connect goes on;
    // a second release makes #1 idle. Otherwise #1 is idle at the first, and #2 waits for its connect.
    const releases = caps.connectServes === 'queue-head' ? 2 : 1;
    const scenario: Scenario = {
      config: { minSize: 1, maxSize: 2, lifetimeMs: LIFETIME_MS, ...(caps.acquireTimeout === null ? {} : { acquireTimeoutMs: 10 * connect }) },
      commands: [
        { op: 'acquire' },
        { op: 'slowNextConnect', ms: connect },
        { op: 'acquire' },
        ...Array.from({ length: releases }, () => ({ op: 'release' as const, connection: 1 })),
        { op: 'sleep', ms: wait },
        { op: 'sleep', ms: connect - wait },
      ],
    };
    return chooseByOracle(context, { name: this.name, field }, scenario, [
      { value: true, patch: {} },
      { value: false, patch: { capabilities: { connectsInFloor: false } } },
    ]);
  },
};
