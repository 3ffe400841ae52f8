import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { describeServer, probePostgres } from '../../../src/connectors/postgres-server.js';
import type { PostgresServer } from './server.js';

const SCRIPT = fileURLToPath(new URL('../../../scripts/postgres.sh', import.meta.url));

/**
 * Finds the server for the real-server suite once, before any test file, and hands it to every
 * file. DATABASE_URL, when set, must answer: a wrong one is a mistake to fix, not a reason to skip.
 * Without it, scripts/postgres.sh starts the local cluster; when it cannot (exit 3) or cannot run,
 * the suite skips, with the reason printed here once.
 */
export default async function setup(project: TestProject): Promise<void> {
  const server = await findServer();
  if (server.url === null) process.stdout.write(`\npoolcheck: the real-server suite is skipped: ${server.reason}\n\n`);
  else process.stdout.write(`\npoolcheck: the real-server suite runs against ${describeServer(server.url)}\n\n`);
  project.provide('postgres', server);
}

async function findServer(): Promise<PostgresServer> {
  const fromEnv = process.env['DATABASE_URL'];
  if (fromEnv !== undefined && fromEnv !== '') {
    const unreachable = await probePostgres(fromEnv);
    if (unreachable !== null) throw new Error(`poolcheck: DATABASE_URL is set but no PostgreSQL server answers at ${describeServer(fromEnv)} (${unreachable}); fix it, or unset it to let scripts/postgres.sh start the local cluster`);
    return { url: fromEnv, reason: null };
  }
  const run = await new Promise<{ code: number | string | null; stdout: string; stderr: string }>((resolve) => {
    execFile('bash', [SCRIPT], { timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : ((error as { code?: number | string }).code ?? null), stdout, stderr });
    });
  });
  const reason = run.stderr.trim().split('\n').at(-1) ?? '';
  if (run.code === 3) return { url: null, reason: `no DATABASE_URL, and scripts/postgres.sh found no server: ${reason}` };
  if (run.code !== 0) return { url: null, reason: `no DATABASE_URL, and scripts/postgres.sh could not run (${String(run.code)}): ${reason || 'no message'}` };
  const url = run.stdout.trim().split('\n').at(-1) ?? '';
  return { url, reason: null };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresServer;
  }
}
