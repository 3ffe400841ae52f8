import { validateCheckOptions } from '../runner/validate.js';
import type { PoolAdapter } from './types.js';

/**
 * Types an adapter written in plain JavaScript: with a ts-check comment (or `checkJs`), the editor and
 * `tsc` check every method against {@link PoolAdapter}, the pool and connection types inferred
 * from `create` and `acquire`. It also checks the adapter at once, so a missing method or a bad
 * semantics field is a {@link DefinitionError} naming it when the module loads, not mid-run.
 *
 * @example
 * import { defineAdapter } from 'poolcheck';
 * export default defineAdapter({
 *   name: 'tiny pool',
 *   semantics: { expiry: { kind: 'timer' }, armsOn: 'release', min: 'ignored', reuse: 'lifo',
 *                handoff: 'microtask', zeroLifetime: 'disables', opensMinOnCreate: false },
 *   create: async ({ config, connector }) => new TinyPool({ connect: () => connector.connect(), max: config.maxSize }),
 *   acquire: (pool) => pool.acquire(),
 *   // ... release, query, connectionId, counters, close, terminate
 * });
 */
export function defineAdapter<P, C>(adapter: PoolAdapter<P, C>): PoolAdapter<P, C> {
  validateCheckOptions({ adapter: adapter as PoolAdapter });
  return adapter;
}
