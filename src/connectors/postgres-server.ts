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

/** Why a server did not answer a probe: the server's own reason where it gave one. */
export interface ProbeFailure {
  /** `auth`: the server refused the user or password; `database`: no such database; `unreachable`: nothing answered. */
  readonly cause: 'auth' | 'database' | 'unreachable' | 'other';
  readonly message: string;
}

/**
 * Whether a PostgreSQL server answers `SELECT 1` at `url` within `timeoutMs`: null if it does,
 * otherwise why not, by the server's SQLSTATE where it answered at all. Call it without a fake
 * clock installed (pg's connect timeout is a timer).
 */
export async function probeServer(url: string, timeoutMs = 3_000): Promise<ProbeFailure | null> {
  const client = new (await loadPg()).Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message || error.name : String(error);
    // 28P01 invalid_password, 28000 invalid_authorization_specification (no such role, pg_hba), 3D000 invalid_catalog_name.
    const cause = code === '28P01' || code === '28000' ? 'auth' : code === '3D000' ? 'database' : typeof code === 'string' && /^E[A-Z]+$/.test(code) ? 'unreachable' : /timeout/i.test(message) ? 'unreachable' : 'other';
    return { cause, message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** {@link probeServer}'s answer as one line, or null when the server answers. */
export async function probePostgres(url: string, timeoutMs = 3_000): Promise<string | null> {
  return (await probeServer(url, timeoutMs))?.message ?? null;
}

/**
 * What to tell a user whose server did not answer: the real cause, and the fix for that cause.
 * `source` says where the URL came from (`--db`, `DATABASE_URL`).
 */
export function explainProbeFailure(url: string, source: string, failure: ProbeFailure): string {
  const parsed = new URL(url);
  const server = describeServer(url);
  const user = decodeURIComponent(parsed.username) || '(the default user)';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || user;
  switch (failure.cause) {
    case 'auth':
      return `poolcheck: ${source}: the PostgreSQL server at ${server} answers, but authentication failed for user "${user}" (${failure.message}); fix the user or password in the URL, or create the role (scripts/postgres.sh creates poolcheck/poolcheck)`;
    case 'database':
      return `poolcheck: ${source}: the PostgreSQL server at ${server} answers, but database "${database}" does not exist (${failure.message}); create it (createdb ${database}) or name an existing database in the URL`;
    case 'unreachable':
      return `poolcheck: ${source}: no PostgreSQL server answers at ${server} (${failure.message}); start one (scripts/postgres.sh prints its URL), fix the host or port, or pass --db pg-mem`;
    default:
      return `poolcheck: ${source}: the PostgreSQL server at ${server} refused the connection (${failure.message}); fix the URL or the server's settings, or pass --db pg-mem`;
  }
}
