import { DefinitionError } from '../runner/violation-error.js';

/**
 * A user's own options for a pool library, checked against the ones the adapter sets from each
 * run (sizes, lifetime, acquire timeout, the connection factory): those come from the run's drawn
 * configuration, so a user's value there would silently test something else. Each such key is
 * refused with where to set it instead.
 *
 * @param adapter - the adapter's name, for the message
 * @param options - the user's options, passed through to the library as they are
 * @param fromRun - each key the adapter sets, with where the user sets it instead
 */
export function libraryOptions(adapter: string, options: Readonly<Record<string, unknown>> | undefined, fromRun: Readonly<Record<string, string>>): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DefinitionError(`poolcheck ${adapter} adapter: options must be an object of ${adapter}'s own options; got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    const instead = fromRun[key];
    if (instead !== undefined) throw new DefinitionError(`poolcheck ${adapter} adapter: options.${key} is set by poolcheck for every run; ${instead}`);
  }
  return { ...options };
}

/** Where the run's configuration comes from, for {@link libraryOptions}' messages. */
export const FROM_CONFIG = 'it comes from the run\'s configuration (check({ configs }), or --min, --max, --lifetime and --acquire-timeout)';

/**
 * The options poolcheck sets for every run of tarn or sequelize-pool, which share their names,
 * for {@link libraryOptions}; `factory` is the adapter factory that takes the reaper interval.
 */
export function reaperPoolRunOptions(factory: string): Readonly<Record<string, string>> {
  return {
    create: "the run's connector makes every connection",
    destroy: "the run's connector closes every connection",
    min: FROM_CONFIG,
    max: FROM_CONFIG,
    idleTimeoutMillis: FROM_CONFIG,
    acquireTimeoutMillis: FROM_CONFIG,
    reapIntervalMillis: `give it as ${factory}({ reapIntervalMillis }), which the declared reaper follows`,
  };
}

/**
 * The `Pool` class the user passed to a library adapter's factory, or a definition error that shows
 * how to pass it: a missing one is the usual slip when moving from the factories that took none.
 *
 * @param adapter - the library's name, as messages print it
 * @param options - the factory's options, whose `Pool` is checked
 * @param usage - the import and the call that pass it, for the message
 */
export function poolClassOf<T>(adapter: string, options: unknown, usage: string): new (options: Record<string, unknown>) => T {
  const PoolClass = (options as { Pool?: unknown } | undefined)?.Pool;
  if (typeof PoolClass !== 'function') throw new DefinitionError(`poolcheck ${adapter} adapter: pass ${adapter}'s Pool class, the one you run: ${usage}`);
  return PoolClass as new (options: Record<string, unknown>) => T;
}
