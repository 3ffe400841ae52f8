import { capabilityByOracle } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * Whether a slow connect keeps its acquire pending (counted in size, not waiting) until it lands,
 * untouched by the acquire timeout: with a 50 ms timeout where the pool has one, and a connect
 * that takes 100 ms.
 */
export const slowConnectProbe: Probe = {
  name: 'slow-connect',
  fields: ['capabilities.slowConnect'],
  needs: ['capabilities.acquireTimeout', 'gracefulClose'],
  run(context) {
    const timeout = context.known.capabilities?.acquireTimeout ?? null;
    const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000, ...(timeout === null ? {} : { acquireTimeoutMs: 50 }) };
    return capabilityByOracle(context, { name: this.name, capability: 'slowConnect' }, { config, commands: [{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'sleep', ms: 100 }] });
  },
};
