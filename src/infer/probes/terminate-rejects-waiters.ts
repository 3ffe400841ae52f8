import { chooseByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/** Whether terminate() rejects an acquire still waiting, at once. Probed only for a pool with waiters. */
export const terminateRejectsWaitersProbe: Probe = {
  name: 'terminate-rejects-waiters',
  fields: ['capabilities.terminateRejectsWaiters'],
  needs: ['capabilities.waiters', 'capabilities.closeRejectsWaiters'],
  async run(context) {
    const field = 'capabilities.terminateRejectsWaiters';
    if (context.known.capabilities?.waiters !== true) return { kind: 'found', findings: [{ field, value: false, evidence: 'no waiters, so there is none to reject' }], patch: { capabilities: { terminateRejectsWaiters: false } } };
    const found = await chooseByOracle(context, { name: this.name, field }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'terminate' }] }, [
      { value: true, patch: { capabilities: { terminateRejectsWaiters: true } } },
    ]);
    if (found.kind === 'found') return found;
    return { kind: 'found', findings: [{ field, value: false, evidence: found.contradiction.observation.replace(/^no value fits (.*?); true ruled out: /, '$1 does not fit it on: ') }], patch: { capabilities: { terminateRejectsWaiters: false } } };
  },
};
