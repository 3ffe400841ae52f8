import { describe, expect, it, vi } from 'vitest';
import { cli } from '../support/cli.js';
import { postgresServer, titled } from './support/server.js';

const server = postgresServer();

/** The suite's server URL with one part changed. */
function withUrl(change: (u: URL) => void): string {
  const u = new URL(server.url ?? 'postgres://unused@127.0.0.1/unused');
  change(u);
  return u.href;
}

describe.skipIf(server.url === null)(titled('database errors name the real cause', server), () => {
  it.each([
    ['a wrong password', (u: URL) => void (u.password = 'not-the-password'), /answers, but authentication failed for user "[^"]+" \(password authentication failed for user "[^"]+"\); fix the user or password in the URL/],
    ['a role that does not exist', (u: URL) => void (u.username = 'no_such_role'), /answers, but authentication failed for user "no_such_role"/],
    ['a database that does not exist', (u: URL) => void (u.pathname = '/no_such_database'), /answers, but database "no_such_database" does not exist \(database "no_such_database" does not exist\); create it \(createdb no_such_database\)/],
  ])('%s: exit 2, before any run, with its own fix', async (_name, change, message) => {
    const url = withUrl(change);
    const { code, out, err } = await cli('check', '--runs', '1', '--db', url);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    expect(err).not.toMatch(/no PostgreSQL server answers/);
    expect(err).not.toContain('not-the-password');
    vi.restoreAllMocks();
  });
});
