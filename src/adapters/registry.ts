import { genericPoolAdapter, type GenericPoolLibrary } from './generic-pool.js';
import { importLibrary } from './library.js';
import { ownPoolAdapter } from './own.js';
import { pgPoolAdapter, type PgPoolClass } from './pg-pool.js';
import { asyncpgAdapter } from '../remote/asyncpg.js';
import { sequelizePoolAdapter, type SequelizePoolClass } from './sequelize-pool.js';
import { tarnAdapter, type TarnPoolClass } from './tarn.js';
import type { PoolAdapter } from './types.js';

/**
 * A built-in adapter by name. The pool libraries are optional peers: each is imported only when
 * its name is used, from the user's own installation, so a missing one is a clear error naming
 * the package ("`--adapter tarn` needs the tarn package: npm install --save-dev tarn").
 */
export type AdapterMaker = () => Promise<PoolAdapter>;

const pgPool = async (): Promise<PgPoolClass> => (await importLibrary<{ default: PgPoolClass }>('pg-pool', '`--adapter pg-pool`')).default;
const genericPool = async (): Promise<GenericPoolLibrary> => importLibrary<GenericPoolLibrary>('generic-pool', '`--adapter generic-pool`');
const tarn = async (): Promise<TarnPoolClass> => (await importLibrary<{ Pool: TarnPoolClass }>('tarn', '`--adapter tarn`')).Pool;
const sequelizePool = async (): Promise<SequelizePoolClass> => (await importLibrary<{ Pool: SequelizePoolClass }>('sequelize-pool', '`--adapter sequelize-pool`')).Pool;

/** The adapters `poolcheck check --adapter NAME` knows by name, each with its library's defaults. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, AdapterMaker>> = {
  own: async () => ownPoolAdapter() as PoolAdapter,
  'own-floor': async () => ownPoolAdapter({ expiryRespectsMinSize: true }) as PoolAdapter,
  'pg-pool': async () => pgPoolAdapter({ Pool: await pgPool() }) as PoolAdapter,
  'generic-pool': async () => genericPoolAdapter({ genericPool: await genericPool() }) as PoolAdapter,
  tarn: async () => tarnAdapter({ Pool: await tarn() }) as PoolAdapter,
  'sequelize-pool': async () => sequelizePoolAdapter({ Pool: await sequelizePool() }) as PoolAdapter,
};

/**
 * Settings users trip over, shown by `poolcheck scenario seed --all` beside the defaults above:
 * generic-pool's own default turns eviction off, and a reaper can expire a connection up to one
 * interval late. Scenario only: they are not properties to pass.
 */
export const SCENARIO_VARIANTS: Readonly<Record<string, AdapterMaker>> = {
  'generic-pool-eviction-off': async () =>
    genericPoolAdapter({ genericPool: await genericPool(), evictionRunIntervalMillis: 0, name: 'generic-pool, eviction off (its default)' }) as PoolAdapter,
  'tarn-reap-3000': async () => tarnAdapter({ Pool: await tarn(), reapIntervalMillis: 3000 }) as PoolAdapter,
};

/**
 * Adapters known by name but never part of `--all`: they need more than Node (asyncpg needs
 * Python with asyncpg, from scripts/asyncpg-setup.sh, and a PostgreSQL server, from
 * scripts/postgres.sh or DATABASE_URL).
 */
export const NAMED_ONLY_ADAPTERS: Readonly<Record<string, AdapterMaker>> = {
  asyncpg: async () => asyncpgAdapter() as PoolAdapter,
};
