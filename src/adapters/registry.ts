import { genericPoolAdapter, type GenericPoolLibrary } from './generic-pool.js';
import { importLibrary } from './library.js';
import { ownPoolAdapter } from './own.js';
import { pgPoolAdapter, type PgPoolClass } from './pg-pool.js';
import { sequelizePoolAdapter, type SequelizePoolClass } from './sequelize-pool.js';
import { tarnAdapter, type TarnPoolClass } from './tarn.js';
import type { PoolAdapter } from './types.js';
import { DefinitionError } from '../runner/violation-error.js';

/**
 * A built-in adapter by name. The pool libraries are optional peers: each is imported only when
 * its name is used, from the user's own installation, so a missing one is a clear error naming
 * the package ("`--adapter tarn` needs the tarn package: npm install --save-dev tarn").
 */
export type AdapterMaker = (options?: LibraryOptions) => Promise<PoolAdapter>;

/** A user's own options for the library, from a config file's `{ adapter, options }`. */
type LibraryOptions = Readonly<Record<string, unknown>>;

/** The own pool takes no library options: there is no library behind it. */
function noOptions(name: string, options: LibraryOptions | undefined): void {
  if (options !== undefined) throw new DefinitionError(`poolcheck: adapter '${name}' takes no options; options are the pool library's own, for pg-pool, generic-pool, tarn and sequelize-pool`);
}

const pgPool = async (): Promise<PgPoolClass> => (await importLibrary<{ default: PgPoolClass }>('pg-pool', '`--adapter pg-pool`')).default;
const genericPool = async (): Promise<GenericPoolLibrary> => importLibrary<GenericPoolLibrary>('generic-pool', '`--adapter generic-pool`');
const tarn = async (): Promise<TarnPoolClass> => (await importLibrary<{ Pool: TarnPoolClass }>('tarn', '`--adapter tarn`')).Pool;
const sequelizePool = async (): Promise<SequelizePoolClass> => (await importLibrary<{ Pool: SequelizePoolClass }>('sequelize-pool', '`--adapter sequelize-pool`')).Pool;

function withOptions(options: LibraryOptions | undefined): { options?: LibraryOptions } {
  return options === undefined ? {} : { options };
}

/** The adapters `poolcheck check --adapter NAME` knows by name, each with its library's defaults. */
export const BUILT_IN_ADAPTERS: Readonly<Record<string, AdapterMaker>> = {
  own: async (options) => (noOptions('own', options), ownPoolAdapter() as PoolAdapter),
  'own-floor': async (options) => (noOptions('own-floor', options), ownPoolAdapter({ expiryRespectsMinSize: true }) as PoolAdapter),
  'pg-pool': async (options) => pgPoolAdapter({ Pool: await pgPool(), ...withOptions(options) }) as PoolAdapter,
  'generic-pool': async (options) => genericPoolAdapter({ genericPool: await genericPool(), ...withOptions(options) }) as PoolAdapter,
  tarn: async (options) => tarnAdapter({ Pool: await tarn(), ...withOptions(options) }) as PoolAdapter,
  'sequelize-pool': async (options) => sequelizePoolAdapter({ Pool: await sequelizePool(), ...withOptions(options) }) as PoolAdapter,
};

/** A library that is never called: only `create` touches the library, and these never create. */
class NeverCalled {}
const neverCalled = { createPool: (): never => { throw new Error('poolcheck: a declaration-only adapter was asked to create a pool'); } };

/**
 * Each built-in adapter's name and declared semantics, which do not depend on the library
 * instance, without importing any library: to recognise a built-in adapter (its rerun label).
 * Their `create` must never be called.
 */
export const BUILT_IN_DECLARATIONS: Readonly<Record<string, () => PoolAdapter>> = {
  own: () => ownPoolAdapter() as PoolAdapter,
  'own-floor': () => ownPoolAdapter({ expiryRespectsMinSize: true }) as PoolAdapter,
  'pg-pool': () => pgPoolAdapter({ Pool: NeverCalled }) as PoolAdapter,
  'generic-pool': () => genericPoolAdapter({ genericPool: neverCalled }) as PoolAdapter,
  tarn: () => tarnAdapter({ Pool: NeverCalled }) as PoolAdapter,
  'sequelize-pool': () => sequelizePoolAdapter({ Pool: NeverCalled }) as PoolAdapter,
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
  // Imported when named: the bridge's child-process code is no part of any other command's start-up.
  asyncpg: async (options) => (noOptions('asyncpg', options), (await import('../remote/asyncpg.js')).asyncpgAdapter() as PoolAdapter),
};
