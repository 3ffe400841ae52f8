import { chooseByOracle } from '../choose.js';
import { ProbeSession } from '../session.js';
import type { Probe } from '../types.js';

const config = { minSize: 0, maxSize: 1, lifetimeMs: 0 };

/**
 * What a lifetime of 0 means. A pool (or its adapter) that refuses it in `create` is `rejected`;
 * one that accepts it must keep an idle connection for good (`disables`), which the oracle checks
 * over a minute of idleness. Anything else (0 as "due at once", or replaced by a default) is a
 * value today's vocabulary lacks, reported as a contradiction.
 */
export const zeroLifetimeProbe: Probe = {
  name: 'zero-lifetime',
  fields: ['zeroLifetime'],
  async run(context) {
    const made = await ProbeSession.with(context.adapter, config, async () => null);
    if (!made.created) {
      return { kind: 'found', findings: [{ field: 'zeroLifetime', value: 'rejected', evidence: `create with lifetime 0 failed: ${made.error}` }], patch: { zeroLifetime: 'rejected' } };
    }
    return chooseByOracle(context, { name: this.name, field: 'zeroLifetime' }, { config: config, commands: [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 60_000 }] }, [{ value: 'disables', patch: { zeroLifetime: 'disables' } }]);
  },
};
