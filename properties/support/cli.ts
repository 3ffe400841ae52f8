import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs the CLI in-process and captures what it prints; `onErr` also sees stderr as it comes (to
 * interrupt a campaign once it has started, say). DATABASE_URL is hidden from it, since the CLI
 * takes it as --db: these runs are pg-mem's wherever the suite runs.
 */
export async function runCli(argv: readonly string[], onErr?: (text: string) => void): Promise<CliRun> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), onErr?.(String(chunk)), true));
  vi.stubEnv('DATABASE_URL', undefined);
  try {
    return { code: await main([...argv]), out, err };
  } finally {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  }
}

/** `runCli` with the arguments spread. */
export function cli(...argv: string[]): Promise<CliRun> {
  return runCli(argv);
}
