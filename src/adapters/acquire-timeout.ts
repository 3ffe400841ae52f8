import type { PoolConfig } from '../model/semantics.js';
import { DefinitionError } from '../runner/violation-error.js';

/**
 * The longest delay `setTimeout` honours (a longer one fires after 1 ms): about 24.8 days, far
 * beyond any run's virtual time. Pools that always arm an acquire timeout (tarn, sequelize-pool) get
 * it when a run has none, so that their own 30 s default never applies unseen.
 */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The run's acquire timeout for a library option, checked: a whole number of ms from 1 to
 * {@link LONGEST_TIMER_MS}, or `undefined` when the run has none. 0 is refused because each
 * library reads it differently (pg-pool and generic-pool as "no timeout", tarn as invalid,
 * sequelize-pool as "at once"), none of them as the model's "rejected when it starts waiting".
 *
 * @example
 * const timeout = acquireTimeoutOf(config, 'pg-pool', 'connectionTimeoutMillis');
 */
export function acquireTimeoutOf(config: PoolConfig, adapter: string, option: string): number | undefined {
  const timeout = config.acquireTimeoutMs;
  if (timeout === undefined) return undefined;
  if (!Number.isSafeInteger(timeout) || timeout < 1 || timeout > LONGEST_TIMER_MS) {
    throw new DefinitionError(
      `poolcheck ${adapter} adapter: acquireTimeoutMs must be a whole number of ms from 1 to ${LONGEST_TIMER_MS}, as ${adapter}'s ${option}; got ${String(timeout)}` +
        ' (leave it out for no timeout where the pool allows that)',
    );
  }
  return timeout;
}
