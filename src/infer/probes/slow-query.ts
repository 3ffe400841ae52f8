import { validationOf } from '../../model/semantics.js';
import { capabilityByOracle, off } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * Whether a query that takes time keeps its caller pending until it lands while other commands
 * run. The only query the pool makes itself is an awaited validation: a 100 ms one holds an
 * acquire of an idle connection, while another acquire opens a new connection meanwhile.
 */
export const slowQueryProbe: Probe = {
  name: 'slow-query',
  fields: ['capabilities.slowQuery'],
  needs: ['validation', 'gracefulClose'],
  run(context) {
    if (validationOf(context.known) !== 'async') return Promise.resolve(off('capabilities.slowQuery', `the pool awaits no validation query (validation: '${validationOf(context.known)}'), so none can be slow`, 'slowQuery'));
    return capabilityByOracle(context, { name: this.name, capability: 'slowQuery' }, { config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, commands: [
      { op: 'acquire' },
      { op: 'release', connection: 1 },
      { op: 'slowNextQuery', ms: 100 },
      { op: 'acquire' },
      { op: 'acquire' },
      { op: 'sleep', ms: 100 },
    ] });
  },
};
