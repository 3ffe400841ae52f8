import { inject } from 'vitest';

/** The server the suite runs against, or why there is none. */
export type PostgresServer = { readonly url: string; readonly reason: null } | { readonly url: null; readonly reason: string };

/**
 * The server found by the suite's set-up. `describe.skipIf(server.url === null)` skips a file when
 * there is none; the set-up has printed why, once.
 */
export function postgresServer(): PostgresServer {
  return inject('postgres');
}

/** A describe title that says, when skipped, where to look. */
export function titled(title: string, server: PostgresServer): string {
  return server.url === null ? `${title} (skipped: no PostgreSQL server, reason above)` : title;
}
