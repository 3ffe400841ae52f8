/**
 * A reader that closes the pipe early (`poolcheck check | head -1`) wants no more output; without
 * this, the next write kills the process with an unhandled EPIPE and a stack trace. The process
 * ends at once and quietly, with the exit code of a process killed by SIGPIPE (128 + 13), as
 * Unix tools do, so `set -o pipefail` still sees that the run was cut short.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(141);
      throw error;
    });
  }
}
