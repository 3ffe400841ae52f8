import { describe, vi } from 'vitest';
import { BUILT_IN_ADAPTERS } from '../../../src/adapters/registry.js';
import { postgresConnector } from '../../../src/connectors/postgres.js';
import type { Semantics } from '../../../src/model/semantics.js';
import type { CheckOptions } from '../../../src/runner/check.js';
import { poolProperties } from '../../../src/vitest.js';
import { postgresServer, titled } from './server.js';

/** The seed of every adapter's real-server run, so the suite is deterministic. */
export const PG_SEED = 20261124;

/**
 * Runs per adapter against the real server: POOLCHECK_PG_RUNS, default 20. A run costs real
 * connections (tens of ms each, more on a busy machine), so far fewer than on pg-mem.
 */
export function pgRuns(): number {
  const raw = process.env['POOLCHECK_PG_RUNS'];
  if (raw === undefined || raw === '') return 20;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`poolcheck: POOLCHECK_PG_RUNS must be a whole number >= 1, got '${raw}'`);
  return n;
}

/** A fresh connector per run on the suite's server (a placeholder when the suite is skipped). */
export function pgConnector(options: { readonly verifyTimeoutMs?: number } = {}): NonNullable<CheckOptions['connector']> {
  return postgresConnector(postgresServer().url ?? 'postgres://unused@127.0.0.1/unused', options);
}

/**
 * Registers poolcheck's properties for one built-in adapter against the real server, the server's
 * own list of each run's backends checked after every command.
 */
export async function adapterOnPostgres(name: string, options: Pick<CheckOptions, 'configs'> & { readonly semantics?: (declared: Semantics) => Semantics } = {}): Promise<void> {
  const make = BUILT_IN_ADAPTERS[name];
  if (make === undefined) throw new Error(`poolcheck: no built-in adapter '${name}'`);
  const made = await make();
  const { semantics: narrow, ...rest } = options;
  const adapter = narrow === undefined ? made : { ...made, semantics: narrow(made.semantics) };
  const server = postgresServer();
  // The runs happen in poolProperties' beforeAll; on a busy machine they outlast the default hook timeout.
  vi.setConfig({ hookTimeout: 170_000 });
  describe.skipIf(server.url === null)(titled(`${name} on PostgreSQL`, server), () => {
    poolProperties(adapter, { ...rest, connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
  });
}
