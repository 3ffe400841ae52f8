import { genericPoolAdapter } from './generic-pool.js';
import { ownPoolAdapter } from './own.js';
import { pgPoolAdapter } from './pg-pool.js';
import { sequelizePoolAdapter } from './sequelize-pool.js';
import { tarnAdapter } from './tarn.js';
import type { PoolAdapter } from './types.js';

/** The adapters `poolcheck check --adapter NAME` knows by name, each with its library's defaults. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, () => PoolAdapter>> = {
  own: () => ownPoolAdapter() as PoolAdapter,
  'own-floor': () => ownPoolAdapter({ expiryRespectsMinSize: true }) as PoolAdapter,
  'pg-pool': () => pgPoolAdapter() as PoolAdapter,
  'generic-pool': () => genericPoolAdapter() as PoolAdapter,
  tarn: () => tarnAdapter() as PoolAdapter,
  'sequelize-pool': () => sequelizePoolAdapter() as PoolAdapter,
};

export function builtInAdapterNames(): string[] {
  return Object.keys(BUILT_IN_ADAPTERS);
}
