import { minOf } from '../../model/semantics.js';
import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe, ProbeResult } from '../types.js';

const CONNECT_MS = 100;

/**
 * Whom a connect serves when it lands: the acquire that started it, or the head of the queue
 * (`connectServes`). A slow connect for acquire #1, then acquire #2 whose connect is at once:
 * a pool whose connects serve the queue hands #2's connection to #1, and #2 waits for the slow one.
 * Asked of the oracle with slow connects on under each value; a pool with no slow connects (no
 * candidate fits) leaves the field out, and the slow-connect probe then says why.
 */
export const connectServesProbe: Probe = {
  name: 'connect-serves',
  fields: ['capabilities.connectServes'],
  needs: ['capabilities.waiters', 'capabilities.acquireTimeout', 'capabilities.acquireTimeoutCovers', 'gracefulClose'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.connectServes';
    const caps = context.known.capabilities;
    const leftOut = (evidence: string): ProbeResult => leftAtDefault(field, 'its-acquire', evidence);
    if (caps?.waiters !== true) return leftOut('without a queue, every connect serves the acquire that started it');
    const min = minOf(context.known);
    if (min.refill.includes('on-reaper-run')) {
      return leftOut('slow connects are refused together with a refill at reaper runs, so whom connects serve is not asked of such a pool');
    }
    const timeout = caps.acquireTimeout ?? null;
    const scenario: Scenario = {
      config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000, ...(timeout === null ? {} : { acquireTimeoutMs: 10 * CONNECT_MS }) },
      commands: [{ op: 'slowNextConnect', ms: CONNECT_MS }, { op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: CONNECT_MS }],
    };
    const result = await chooseByOracle(context, { name: this.name, field }, scenario, [
      { value: 'its-acquire', patch: { capabilities: { slowConnect: true } } },
      { value: 'queue-head', patch: { capabilities: { slowConnect: true, connectServes: 'queue-head' } } },
    ]);
    if (result.kind === 'contradiction') return leftOut(`no slow connect fits either value (${result.contradiction.observation}); the slow-connect probe says why`);
    // Only whom a connect serves is this probe's: whether slow connects hold is the next probe's.
    const chosen = result.findings[0]!.value;
    return { ...result, patch: chosen === 'queue-head' ? { capabilities: { connectServes: 'queue-head' } } : {} };
  },
};
