import { execFileSync } from 'node:child_process';

/**
 * The words a POSIX shell makes of a command line, as a user's paste would give them: the line
 * goes through `sh` itself, quoting and all, so a line that only looks right fails here.
 */
export function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${line}; printf '%s\\0' "$@"`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** The `cli:` lines a failure printed, as the words after `poolcheck`. */
export function printedRerunLines(report: string): string[][] {
  return [...report.matchAll(/^ {2}cli: {4}(poolcheck .*)$/gm)].map((m) => shellWords(m[1]!).slice(1));
}
