import type { CommandJson } from '../../commands/json.js';
import { chooseByOracle } from '../choose.js';
import { ProbeSession, ProbeStop } from '../session.js';
import type { Probe, ProbeResult } from '../types.js';

const TIMEOUT_MS = 50;

/**
 * Whether a waiter is rejected once it has waited the configured acquire timeout, and only then
 * (the oracle, with a 50 ms timeout and two waiters 30 ms apart), and then whether the pool has one even when none is configured (`required`):
 * measured by whether a waiting acquire arms a timer when the configuration has no timeout.
 */
export const acquireTimeoutProbe: Probe = {
  name: 'acquire-timeout',
  fields: ['capabilities.acquireTimeout'],
  needs: ['capabilities.waiters'],
  async run(context): Promise<ProbeResult> {
    const field = 'capabilities.acquireTimeout';
    if (context.known.capabilities?.waiters !== true) return { kind: 'found', findings: [{ field, value: null, evidence: 'no waiters, so nothing can time out' }], patch: { capabilities: { acquireTimeout: null } } };
    const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: TIMEOUT_MS };
    // Two waiters 30 ms apart: the first times out alone, the second is served by the release.
    const commands: CommandJson[] = [{ op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: 30 }, { op: 'acquire' }, { op: 'sleep', ms: 30 }, { op: 'release', connection: 1 }];
    const timed = await chooseByOracle(context, { name: this.name, field }, { config, commands }, [{ value: 'optional', patch: { capabilities: { acquireTimeout: 'optional' } } }]);
    if (timed.kind === 'contradiction') {
      return { kind: 'found', findings: [{ field, value: null, evidence: timed.contradiction.observation.replace(/^no value fits/, 'a timeout does not fit') }], patch: { capabilities: { acquireTimeout: null } } };
    }
    const without = await armsTimerWithoutTimeout(context.adapter);
    const evidence = `${timed.findings[0]!.evidence}; ${without.evidence}`;
    const value = without.required ? 'required' : 'optional';
    return { kind: 'found', findings: [{ field, value, evidence, ...(without.required ? { dependsOnConfig: 'the adapter, or the library, arms an acquire timeout even when the configuration has none' } : {}) }], patch: { capabilities: { acquireTimeout: value } } };
  },
};

async function armsTimerWithoutTimeout(adapter: Parameters<Probe['run']>[0]['adapter']): Promise<{ required: boolean; evidence: string }> {
  try {
    const made = await ProbeSession.with(adapter, { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, async (s) => {
      await s.acquire();
      const before = s.pendingTimers();
      const waiter = s.issue();
      await s.clock.settle();
      return { before, after: s.pendingTimers(), waiting: waiter.outcome === null };
    });
    if (!made.created) return { required: true, evidence: `without a timeout, create failed: ${made.error}` };
    const { before, after, waiting } = made.value;
    if (!waiting) return { required: false, evidence: 'without a timeout, the second acquire at max 1 did not wait' };
    if (after > before) return { required: true, evidence: `without a timeout configured, a waiting acquire still armed a timer (${before} pending before it, ${after} after)` };
    return { required: false, evidence: `without a timeout configured, a waiting acquire armed no timer (${before} pending before and after)` };
  } catch (error) {
    if (error instanceof ProbeStop) return { required: false, evidence: `without a timeout: ${error.message}` };
    throw error;
  }
}
