import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { postgresServer, titled } from './support/server.js';

const server = postgresServer();

/** A case of the own pool: two connections, one expires while idle, the other is reused. */
const saved = {
  schema: 'poolcheck/regression@1',
  adapter: { builtIn: 'own', name: 'own' },
  config: { minSize: 0, maxSize: 2, lifetimeMs: 1000 },
  semantics: { expiry: { kind: 'timer' }, armsOn: 'release-and-create', min: 'ignored', reuse: 'lifo', handoff: 'microtask', zeroLifetime: 'disables', opensMinOnCreate: true },
  steps: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'query', connection: 1, sql: 'SELECT 1' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 1500 }, { op: 'release', connection: 2 }, { op: 'acquire' }],
  expect: { verdict: 'pass' },
  provenance: { seed: 1, path: '0', replayPath: null, found: '2026-01-01', poolcheck: '0.1.0', shard: '1/1' },
};

let file: string;
beforeAll(async () => {
  file = join(await mkdtemp(join(tmpdir(), 'poolcheck-replay-pg-')), 'case.json');
  await writeFile(file, JSON.stringify(saved));
});

describe.skipIf(server.url === null)(titled('poolcheck replay --db', server), () => {
  it('replays a case with the server\'s connections, its backends checked, and says so', async () => {
    const { code, out } = await cli('replay', file, '--db', server.url!);
    expect(code, out).toBe(0);
    expect(out).toMatch(/^Connections: PostgreSQL at [^\n]+ \(from --db\), checked against pg_stat_activity after every command$/m);
    expect(out).toMatch(/^Expectation holds: /m);
  });

  it('names the server in --json, where pg-mem gives null', async () => {
    const onServer = await cli('replay', file, '--json', '--db', server.url!);
    expect(onServer.code, onServer.err).toBe(0);
    expect((JSON.parse(onServer.out) as { database: unknown }).database).toMatch(/^PostgreSQL at /);
    const onPgMem = await cli('replay', file, '--json');
    expect((JSON.parse(onPgMem.out) as { database: unknown }).database).toBeNull();
  });
});
