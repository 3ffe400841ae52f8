/** poolcheck's own pool: asyncpg's semantics, model-checked by poolcheck's properties. */
export { Pool, createPool } from './pool.js';
export type { AcquireOptions } from './pool.js';
export type { PoolMinRefill, PoolOptions, ResolvedPoolOptions } from './options.js';
export { PoolError, PoolOptionsError, PoolUsageError, PoolClosedError, PoolTimeoutError, PoolAbortedError } from './errors.js';
export type { Slot } from './slot.js';
