import { postgresConnector } from '../connectors/postgres.js';
import { describeServer, probePostgres } from '../connectors/postgres-server.js';
import type { ConnectorFactory } from '../runner/run-once.js';
import { DefinitionError } from '../runner/violation-error.js';
import { UsageError } from './usage.js';

/** Where `check` gets its connections: pg-mem (no factory), or a real PostgreSQL server. */
export interface DatabaseChoice {
  readonly connector?: ConnectorFactory;
  /** What the rerun line needs to reach the same server; empty when the environment gives it. */
  readonly rerunFlag: string;
  /** `PostgreSQL at host:port/database (from --db)`, or null for pg-mem. */
  readonly description: string | null;
}

/**
 * `--db URL` or, without it, `DATABASE_URL` selects a real server; `--db pg-mem` (or neither) the
 * embedded default. The server must answer before any run starts, so a wrong URL is one clear
 * error rather than a failure in every run.
 */
export async function chooseDatabase(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<DatabaseChoice> {
  const url = flag ?? env['DATABASE_URL'];
  if (url === undefined || url === '' || url === 'pg-mem') return { rerunFlag: flag === 'pg-mem' ? ' --db pg-mem' : '', description: null };
  const source = flag === undefined ? 'DATABASE_URL' : '--db';
  let server: string;
  try {
    server = describeServer(url);
  } catch (error) {
    if (error instanceof DefinitionError) throw new UsageError(`${source}: ${error.message}`);
    throw error;
  }
  const unreachable = await probePostgres(url);
  if (unreachable !== null) {
    throw new DefinitionError(`poolcheck: ${source}: no PostgreSQL server answers at ${server} (${unreachable}); start one (scripts/postgres.sh prints its URL), fix the URL, or pass --db pg-mem`);
  }
  return { connector: postgresConnector(url), rerunFlag: flag === undefined ? '' : ` --db '${flag}'`, description: `PostgreSQL at ${server} (from ${source})` };
}
