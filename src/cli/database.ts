import { postgresConnector } from '../connectors/postgres.js';
import { describeServer, explainProbeFailure, probeServer } from '../connectors/postgres-server.js';
import type { ConnectorFactory } from '../runner/run-once.js';
import { DefinitionError } from '../runner/violation-error.js';
import { UsageError } from './usage.js';

/** Where `check` gets its connections: pg-mem (no factory), or a real PostgreSQL server. */
export interface DatabaseChoice {
  readonly connector?: ConnectorFactory;
  /** The words the rerun line needs to reach the same server; none when the environment gives it. */
  readonly rerunWords: readonly string[];
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
  if (url === undefined || url === '' || url === 'pg-mem') return { rerunWords: flag === 'pg-mem' ? ['--db', 'pg-mem'] : [], description: null };
  const source = flag === undefined ? 'DATABASE_URL' : '--db';
  let server: string;
  try {
    server = describeServer(url);
  } catch (error) {
    if (error instanceof DefinitionError) throw new UsageError(`${source}: ${error.message}`);
    throw error;
  }
  const failure = await probeServer(url);
  if (failure !== null) throw new DefinitionError(explainProbeFailure(url, source, failure));
  return { connector: postgresConnector(url), rerunWords: flag === undefined ? [] : ['--db', flag], description: `PostgreSQL at ${server} (from ${source})` };
}
