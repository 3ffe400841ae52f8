import { chooseByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/** Whether creating the pool opens `minSize` connections: create one with min 2 and count. */
export const opensMinProbe: Probe = {
  name: 'opens-min',
  fields: ['opensMinOnCreate'],
  run(context) {
    return chooseByOracle(context, { name: this.name, field: 'opensMinOnCreate' }, { config: { minSize: 2, maxSize: 3, lifetimeMs: 60_000 }, commands: [{ op: 'sleep', ms: 10 }] }, [
      { value: false, patch: { opensMinOnCreate: false } },
      { value: true, patch: { opensMinOnCreate: true } },
    ]);
  },
};
