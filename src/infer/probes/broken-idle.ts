import { capabilityByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/** Whether an idle connection the server ends is dropped at once and never handed out. */
export const brokenIdleProbe: Probe = {
  name: 'broken-idle',
  fields: ['capabilities.brokenIdle'],
  needs: ['gracefulClose'],
  run(context) {
    return capabilityByOracle(context, { name: this.name, capability: 'brokenIdle' }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [
      { op: 'acquire' },
      { op: 'release', connection: 1 },
      { op: 'breakIdle', connection: 1 },
      { op: 'acquire' },
    ] });
  },
};
