import { genericPoolAdapter } from './generic-pool.js';
import { ownPoolAdapter } from './own.js';
import { pgPoolAdapter } from './pg-pool.js';
import { asyncpgAdapter } from '../remote/asyncpg.js';
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

/**
 * Settings users trip over, shown by `poolcheck scenario seed --all` beside the defaults above:
 * generic-pool's own default turns eviction off, and a reaper can expire a connection up to one
 * interval late. Scenario only: they are not properties to pass.
 */
export const SCENARIO_VARIANTS: Readonly<Record<string, () => PoolAdapter>> = {
  'generic-pool-eviction-off': () => genericPoolAdapter({ evictionRunIntervalMillis: 0, name: 'generic-pool, eviction off (its default)' }) as PoolAdapter,
  'tarn-reap-3000': () => tarnAdapter({ reapIntervalMillis: 3000 }) as PoolAdapter,
};

/**
 * Adapters known by name but never part of `--all`: they need more than Node (asyncpg needs
 * Python with asyncpg, from scripts/asyncpg-setup.sh, and a PostgreSQL server, from
 * scripts/postgres.sh or DATABASE_URL).
 */
export const NAMED_ONLY_ADAPTERS: Readonly<Record<string, () => PoolAdapter>> = {
  asyncpg: () => asyncpgAdapter() as PoolAdapter,
};
