import { chooseByOracle, off } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * What the pool does with an idle connection the server ends: drops it at once, having heard of
 * it (`true`), or keeps it idle unheard (`'unnoticed'`), until its check at the next acquire
 * fails or, checking nothing, the acquire gets it. The idle count right after the break tells the
 * two apart, and the next acquire confirms it, so the probe runs after validation is known.
 */
export const brokenIdleProbe: Probe = {
  name: 'broken-idle',
  fields: ['capabilities.brokenIdle'],
  needs: ['gracefulClose', 'validation', 'validation.alsoChecks', 'validation.serves', 'capabilities.failedValidation'],
  async run(context) {
    const field = 'capabilities.brokenIdle';
    const found = await chooseByOracle<boolean | 'unnoticed'>(context, { name: this.name, field }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [
      { op: 'acquire' },
      { op: 'release', connection: 1 },
      { op: 'breakIdle', connection: 1 },
      { op: 'acquire' },
    ] }, [
      { value: true, patch: { capabilities: { brokenIdle: true } } },
      { value: 'unnoticed', patch: { capabilities: { brokenIdle: 'unnoticed' } } },
    ]);
    if (found.kind === 'found') return found;
    return off(field, found.contradiction.observation.replace(/^no value fits (.*?); /, '$1 fits neither a drop nor a break unheard: '), 'brokenIdle');
  },
};
