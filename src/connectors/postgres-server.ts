import { DefinitionError } from '../runner/violation-error.js';
import { loadPg } from './load-pg.js';

/** The URL scripts/postgres.sh prints for the local cluster it starts. */
export const LOCAL_POSTGRES_URL = 'postgres://poolcheck:poolcheck@127.0.0.1:5432/poolcheck';

/**
 * Checks a PostgreSQL URL for poolcheck's use and returns how to name its server in messages
 * (`host:port/database`, never the password). Throws a {@link DefinitionError} naming the fix.
 */
export function describeServer(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DefinitionError(`'${url}' is not a URL; give a PostgreSQL URL such as postgres://user:password@127.0.0.1:5432/database`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new DefinitionError(`'${parsed.protocol}' is not a PostgreSQL URL scheme; give postgres://user:password@host:port/database`);
  }
  // pg lets the URL's application_name override the one poolcheck sets, and poolcheck finds a
  // run's backends at the server by that name.
  if (parsed.searchParams.has('application_name')) {
    throw new DefinitionError('leave application_name out of the PostgreSQL URL: poolcheck names every run\'s connections itself, to find them in pg_stat_activity');
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
  return `${parsed.hostname}:${parsed.port || '5432'}/${database}`;
}

/**
 * Compares the backends the server lists under a run's application_name with the connections the
 * connector holds open (id → backend pid). Null when they are the same; otherwise a message with
 * both counts, the application_name and which side each extra one is on.
 */
export function describeDisagreement(applicationName: string, expected: ReadonlyMap<number, number>, serverPids: readonly number[]): string | null {
  const atServer = new Set(serverPids);
  const known = new Set(expected.values());
  const missing = [...expected].filter(([, pid]) => !atServer.has(pid)).sort(([a], [b]) => a - b);
  const stray = [...atServer].filter((pid) => !known.has(pid)).sort((a, b) => a - b);
  if (missing.length === 0 && stray.length === 0) return null;
  const details: string[] = [];
  if (missing.length > 0) details.push(`${missing.map(([id, pid]) => `#${id} (backend pid ${pid})`).join(', ')} open at the connector but gone at the server`);
  if (stray.length > 0) details.push(`backend pid ${stray.join(', ')} at the server belong to no open connection`);
  return (
    `the server lists ${atServer.size} backend(s) with application_name '${applicationName}' in pg_stat_activity, ` +
    `the connector ${expected.size} open connection(s): ${details.join('; ')}`
  );
}

/**
 * Whether a PostgreSQL server answers `SELECT 1` at `url` within `timeoutMs`: null if it does,
 * otherwise why not. Call it without a fake clock installed (pg's connect timeout is a timer).
 */
export async function probePostgres(url: string, timeoutMs = 3_000): Promise<string | null> {
  const client = new (await loadPg()).Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
