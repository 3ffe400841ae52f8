import { readFileSync } from 'node:fs';
import genericPool from 'generic-pool';
import PgPool from 'pg-pool';
import * as sequelizePool from 'sequelize-pool';
import * as tarn from 'tarn';
import { afterEach, describe, expect, it } from 'vitest';
import { importLibrary } from '../src/adapters/library.js';
import {
  asyncpgSemantics,
  capabilitiesOf,
  check,
  defineAdapter,
  DefinitionError,
  formatResult,
  genericPoolAdapter,
  ownPoolAdapter,
  pgPoolAdapter,
  sequelizePoolAdapter,
  tarnAdapter,
  uninstallAllClocks,
  type PgPoolClass,
  type PoolAdapter,
} from '../src/index.js';
import { BrokenIdleKeptPool } from '../fixtures/mutants/broken-idle-kept.js';
import { DestroyForgetsConnectionPool } from '../fixtures/mutants/destroy-forgets-connection.js';
import { cli } from './support/cli.js';

afterEach(() => uninstallAllClocks());

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
const OPTIONAL_PEERS = ['generic-pool', 'pg', 'pg-pool', 'sequelize-pool', 'tarn', 'tsx', 'vitest'];

describe('what a consumer installs', () => {
  it('depends at run time on fast-check, fake-timers and pg-mem only', () => {
    expect(Object.keys(pkg['dependencies']!).sort()).toEqual(['@sinonjs/fake-timers', 'fast-check', 'pg-mem']);
  });

  it('takes the pool libraries, pg, tsx and vitest as optional peers, and keeps them for its own tests', () => {
    expect(Object.keys(pkg['peerDependencies']!).sort()).toEqual(OPTIONAL_PEERS);
    for (const name of OPTIONAL_PEERS) {
      expect(pkg['peerDependenciesMeta']![name], name).toEqual({ optional: true });
      expect(pkg['devDependencies']![name], `${name} in devDependencies`).toBeDefined();
    }
  });

  it('runs no script at a consumer\'s install: dist/ is built by prepack', () => {
    const scripts = pkg['scripts']!;
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(scripts[hook], hook).toBeUndefined();
    expect(scripts['prepack']).toMatch(/tsc -p tsconfig.build.json/);
  });

  it('keeps package-lock.json in step with package.json', () => {
    const root = lock.packages['']!;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'peerDependenciesMeta']) expect(root[field], field).toEqual(pkg[field]);
  });
});

describe('a missing optional peer', () => {
  it('is an error naming the package, why it is needed and the install line', async () => {
    const error = await importLibrary('poolcheck-no-such-pool', '`--adapter no-such-pool`').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toBe('poolcheck: `--adapter no-such-pool` needs the poolcheck-no-such-pool package: npm install --save-dev poolcheck-no-such-pool');
  });

  it('keeps the real error of a package that is there but fails to load', async () => {
    await expect(importLibrary('tarn/no-such-file', 'a test')).rejects.not.toBeInstanceOf(DefinitionError);
  });
});

describe('the built-in adapters check the library instance the user passes in', () => {
  it('builds every pool with the Pool class given, and the user\'s own options', async () => {
    const made: Record<string, unknown>[] = [];
    // A user's own build of pg-pool (a fork, another version): poolcheck must use it, not its own.
    class RecordingPool extends PgPool<never> {
      constructor(options: Record<string, unknown>) {
        super(options);
        made.push(options);
      }
    }
    const result = await check({ adapter: pgPoolAdapter({ Pool: RecordingPool as unknown as PgPoolClass, options: { application_name: 'mine' } }), numRuns: 5, seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
    expect(made.length).toBeGreaterThanOrEqual(5);
    expect(made.every((o) => o['application_name'] === 'mine')).toBe(true);
  });

  it('passes options that change behaviour through, so a declaration that ignores them fails', async () => {
    // maxUses: 1 makes pg-pool end a client at its first release: pg-pool's declared semantics
    // no longer hold, which shows the option reached the library.
    const result = await check({ adapter: pgPoolAdapter({ Pool: PgPool, options: { maxUses: 1 } }), numRuns: 50, seed: 1 });
    expect(result.passed).toBe(false);
  });

  it('refuses an option the run sets, naming it and where to set it', () => {
    expect(() => pgPoolAdapter({ Pool: PgPool, options: { max: 3 } })).toThrow(/options\.max is set by poolcheck for every run; it comes from the run's configuration/);
    expect(() => tarnAdapter({ Pool: tarn.Pool, options: { reapIntervalMillis: 10 } })).toThrow(/give it as tarnAdapter\(\{ reapIntervalMillis \}\)/);
    expect(() => genericPoolAdapter({ genericPool, options: { evictionRunIntervalMillis: 5 } })).toThrow(/genericPoolAdapter\(\{ evictionRunIntervalMillis \}\)/);
    expect(() => sequelizePoolAdapter({ Pool: sequelizePool.Pool, options: { create: () => null } })).toThrow(/options\.create is set by poolcheck/);
  });

  it('asks for the library when it is left out, with the import line', () => {
    const call = (make: (o: never) => unknown): unknown => make({} as never);
    expect(() => call(pgPoolAdapter)).toThrow("pass pg-pool's Pool class, the one you run: import Pool from 'pg-pool'; pgPoolAdapter({ Pool })");
    expect(() => call(genericPoolAdapter)).toThrow("import genericPool from 'generic-pool'; genericPoolAdapter({ genericPool })");
    expect(() => call(tarnAdapter)).toThrow("import { Pool } from 'tarn'; tarnAdapter({ Pool })");
    expect(() => call(sequelizePoolAdapter)).toThrow("import { Pool } from 'sequelize-pool'; sequelizePoolAdapter({ Pool })");
  });

  it('resolves the library of a built-in name at use, from the CLI', async () => {
    const run = await cli('check', '--adapter', 'tarn', '--runs', '5', '--seed', '1');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^tarn: passed after 5 run\(s\)/);
  });
});

describe('capabilities', () => {
  it('takes a partial object, a field left out being off', () => {
    const caps = capabilitiesOf({ ...asyncpgSemantics, capabilities: { waiters: true } });
    expect(caps).toEqual({ waiters: true, acquireTimeout: null, destroy: false, failedConnect: false, slowConnect: false, brokenIdle: false, closeRejectsWaiters: false });
  });

  it('turns on the commands of the fields given, and only those', async () => {
    const partial = { ...asyncpgSemantics, capabilities: { waiters: true, destroy: true } };
    const mutant = ownPoolAdapter({ name: 'destroy forgets', semantics: partial, makePool: (o) => new DestroyForgetsConnectionPool(o) });
    const caught = await check({ adapter: mutant, numRuns: 200, seed: 1 });
    expect(caught.failure?.violation.kind, formatResult(caught)).toBe('not-discarded');
    const result = await check({ adapter: ownPoolAdapter({ semantics: partial }), numRuns: 50, seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
    // brokenIdle left out: no connection is broken, so a pool that keeps broken ones is not caught.
    const unasked = await check({ adapter: ownPoolAdapter({ semantics: partial, makePool: (o) => new BrokenIdleKeptPool(o) }), numRuns: 200, seed: 1 });
    expect(unasked.passed, formatResult(unasked)).toBe(true);
  });
});

describe('defineAdapter', () => {
  it('returns the adapter as given, checked', () => {
    const adapter = ownPoolAdapter() as PoolAdapter;
    expect(defineAdapter(adapter)).toBe(adapter);
  });

  it('names what is missing at once', () => {
    expect(() => defineAdapter({ name: 'half', semantics: asyncpgSemantics } as unknown as PoolAdapter)).toThrow(/adapter 'half' is missing method\(s\) create, acquire/);
  });
});

describe('built-in declarations without their library', () => {
  it('name and declare exactly what the built-in adapters do', async () => {
    const { BUILT_IN_ADAPTERS, BUILT_IN_DECLARATIONS } = await import('../src/adapters/registry.js');
    const { adapterDigest } = await import('../src/runner/rerun.js');
    expect(Object.keys(BUILT_IN_DECLARATIONS)).toEqual(Object.keys(BUILT_IN_ADAPTERS));
    for (const [name, make] of Object.entries(BUILT_IN_ADAPTERS)) expect(adapterDigest(BUILT_IN_DECLARATIONS[name]!()), name).toBe(adapterDigest(await make()));
  });
});
