import { chooseByOracle, off } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * When close() rejects an acquire still waiting: as close begins (`true`), or only once the last
 * connection in use is released (`'after-last-release'`); `false` when neither fits.
 */
export const closeRejectsWaitersProbe: Probe = {
  name: 'close-rejects-waiters',
  fields: ['capabilities.closeRejectsWaiters'],
  needs: ['capabilities.waiters', 'gracefulClose'],
  async run(context) {
    const field = 'capabilities.closeRejectsWaiters';
    if (context.known.capabilities?.waiters !== true) return off(field, 'no waiters, so there is none to reject', 'closeRejectsWaiters');
    const found = await chooseByOracle<boolean | 'after-last-release'>(context, { name: this.name, field }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'close' }] }, [
      { value: true, patch: { capabilities: { closeRejectsWaiters: true } } },
      { value: 'after-last-release', patch: { capabilities: { closeRejectsWaiters: 'after-last-release' } } },
    ]);
    if (found.kind === 'found') return found;
    return off(field, found.contradiction.observation.replace(/^no value fits (.*?); true ruled out: /, '$1 fits neither; true ruled out: '), 'closeRejectsWaiters');
  },
};
