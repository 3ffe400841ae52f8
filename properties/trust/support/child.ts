import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url));

/**
 * The CLI in a child process, from the sources, as `bin/poolcheck.js` runs it: only for what a
 * process must show itself (a closed pipe, a signal). DATABASE_URL is left out, as in-process.
 */
export function spawnCli(argv: readonly string[]): ChildProcess {
  const env = { ...process.env };
  delete env['DATABASE_URL'];
  return spawn(process.execPath, ['--import', TSX, ENTRY, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the exit code (or 128 + the signal's number) once the child has exited. */
export function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 128))));
}
