import { ownPoolAdapter } from './own.js';
import type { PoolAdapter } from './types.js';

/** The adapters `poolcheck check --adapter NAME` knows by name. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, () => PoolAdapter>> = {
  own: () => ownPoolAdapter() as PoolAdapter,
  'own-floor': () => ownPoolAdapter({ expiryRespectsMinSize: true }) as PoolAdapter,
};

export function builtInAdapterNames(): string[] {
  return Object.keys(BUILT_IN_ADAPTERS);
}
