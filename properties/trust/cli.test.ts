import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { COMMAND_USAGE, USAGE } from '../../src/cli/usage.js';
import { explainProbeFailure } from '../../src/connectors/postgres-server.js';
import { cli } from '../support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const NO_STACK = /\n\s+at |node:internal|Node\.js v\d/;

describe('help and version', () => {
  it.each(Object.keys(COMMAND_USAGE))('poolcheck %s --help prints that command\'s usage, exit 0', async (command) => {
    for (const flag of ['--help', '-h']) {
      const { code, out } = await cli(command, flag);
      expect(code).toBe(0);
      expect(out).toBe(`${COMMAND_USAGE[command]}\n`);
    }
  });

  it('a usage error shows the usage of the command it was made in', async () => {
    const { code, err } = await cli('replay');
    expect(code).toBe(2);
    expect(err).toBe(`poolcheck: replay needs the case file to rerun, like fixtures/regressions/own/<hash>.json\n\n${COMMAND_USAGE['replay']}\n`);
  });

  it('poolcheck --version prints the package version', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const { code, out } = await cli('--version');
    expect(code).toBe(0);
    expect(out).toBe(`${pkg.version}\n`);
  });

  it('docs/cli.md holds every command\'s --help as printed, so it cannot go stale', async () => {
    const doc = await readFile('docs/cli.md', 'utf8');
    for (const usage of [USAGE, ...Object.values(COMMAND_USAGE)]) expect(doc).toContain(`\`\`\`text\n${usage}\n\`\`\``);
  });
});

describe('bad values are refused with what is wrong, never a stack trace', () => {
  it('POOLCHECK_RUNS=abc', async () => {
    vi.stubEnv('POOLCHECK_RUNS', 'abc');
    const { code, err } = await cli('check');
    expect(code).toBe(2);
    expect(err).toBe("poolcheck: POOLCHECK_RUNS must be a whole number >= 1, got 'abc'; set it to a run count like 200, or unset it\n");
  });

  it.each([['1.5'], ['0'], ['-3'], ['1e3']])('POOLCHECK_RUNS=%s', async (value) => {
    vi.stubEnv('POOLCHECK_RUNS', value);
    const { code, err } = await cli('check');
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: POOLCHECK_RUNS must be a whole number >= 1/);
  });
});

describe('adapter modules that do not load', () => {
  async function module(name: string, text: string): Promise<string> {
    const file = join(await mkdtemp(join(tmpdir(), 'poolcheck-adapter-')), name);
    await writeFile(file, text);
    return file;
  }

  it.each([
    ['bad.mjs', 'export default {\n  name: "broken",\n  semantics: { ,\n};\n', ':3:16'],
    ['bad.cjs', 'module.exports = {\n  a: 1 +,\n};\n', ':2:9'],
    ['bad.ts', 'export default {\n  name: "broken" as string,\n  semantics: { ,\n};\n', ':3:15: ERROR: Expected identifier but found ","'],
  ])('a syntax error in %s names file:line:column', async (name, text, where) => {
    const file = await module(name, text);
    const { code, err } = await cli('check', '--adapter', file);
    expect(code).toBe(2);
    expect(err).toContain(`${file}${where}`);
    expect(err).toMatch(/SyntaxError|ERROR/);
    expect(err).not.toMatch(NO_STACK);
  });

  it('a factory that throws is a definition error, with where it threw', async () => {
    const file = await module('throws.mjs', '// the pool library is missing\nexport default () => {\n  throw new Error("no pool library here");\n};\n');
    const { code, err } = await cli('check', '--adapter', file);
    expect(code).toBe(2);
    expect(err).toBe(`poolcheck: the adapter factory exported by ${file} threw: Error: no pool library here (at ${file}:3:9); fix the factory so it returns an adapter\n`);
  });

  it('an async factory that rejects, and one that throws a non-error, alike', async () => {
    const rejects = await module('rejects.mjs', 'export default async () => { throw new TypeError("bad option"); };\n');
    const odd = await module('odd.mjs', 'export const adapter = () => { throw "just a string"; };\n');
    expect((await cli('check', '--adapter', rejects)).err).toMatch(/threw: TypeError: bad option/);
    const r = await cli('check', '--adapter', odd);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/threw: just a string; fix the factory/);
  });
});

describe('database errors name the real cause', () => {
  const url = 'postgres://alice:wrong@127.0.0.1:5432/shop';
  it.each([
    [{ cause: 'auth', message: 'password authentication failed for user "alice"' }, /answers, but authentication failed for user "alice" \(password authentication failed for user "alice"\); fix the user or password in the URL, or create the role/],
    [{ cause: 'database', message: 'database "shop" does not exist' }, /answers, but database "shop" does not exist \(database "shop" does not exist\); create it \(createdb shop\) or name an existing database/],
    [{ cause: 'unreachable', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, /no PostgreSQL server answers at 127\.0\.0\.1:5432\/shop \(connect ECONNREFUSED 127\.0\.0\.1:5432\); start one/],
  ] as const)('%j', (failure, message) => {
    const text = explainProbeFailure(url, '--db', failure);
    expect(text).toMatch(/^poolcheck: --db: /);
    expect(text).toMatch(message);
    expect(text).not.toContain('wrong');
  });
});

describe('docs/bad-inputs.md', () => {
  it('its cases add up to the count it states, and every test file it names exists', async () => {
    const doc = await readFile('docs/bad-inputs.md', 'utf8');
    const stated = Number(/tested against \*\*(\d+)\*\* bad inputs/.exec(doc)?.[1]);
    const rows = doc.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| family'));
    const cells = rows.map((r) => r.split(' | ').map((c) => c.trim()));
    const total = cells.reduce((n, c) => n + Number(c.at(-2)), 0);
    expect(total).toBe(stated);
    for (const c of cells) await expect(readFile(c.at(-1)!.replace(/ \|$/, ''), 'utf8')).resolves.toBeTruthy();
  });
});
