import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { cli, runCli } from '../support/cli.js';
import { exited, spawnCli } from './support/child.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

const tmp = (): Promise<string> => mkdtemp(join(tmpdir(), 'poolcheck-output-'));

describe('reports on stdout have it to themselves', () => {
  it('--json - prints only the JSON on stdout, the text report on stderr', async () => {
    const { code, out, err } = await cli('check', '--runs', '3', '--seed', '5', '--json', '-');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { schema: string; passed: boolean };
    expect(json).toMatchObject({ schema: 'poolcheck/check@1', passed: true });
    expect(err).toMatch(/^own: passed after 3 run\(s\)/m);
    expect(err).toMatch(/^own\s+idle connections expire in their window/m);
  });

  it('--junit - prints only the XML on stdout; a failure keeps exit 1', async () => {
    const { code, out, err } = await cli('check', '--adapter', 'fixtures/user-adapter/tiny-pool-declared-fifo.mjs', '--seed', '1', '--junit', '-');
    expect(code).toBe(1);
    expect(out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(out.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(err).toMatch(/FAILED after/);
  });

  it('--json - and --junit - together are refused: stdout holds one report', async () => {
    const { code, err } = await cli('check', '--json', '-', '--junit', '-');
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: --json - and --junit - both want stdout/);
  });
});

describe('output paths are checked before the run', () => {
  it.each([
    ['--json', '/proc/nope/result.json'],
    ['--junit', '/proc/nope/result.xml'],
    ['--json', '/'],
  ])('check %s %s: exit 2 at once, before any run', async (flag, path) => {
    const { code, out, err } = await cli('check', '--runs', '100000', flag, path);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^poolcheck: ${flag} ${path.replace(/\//g, '\\/')}: cannot write there \\(`));
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('fuzz --junit to an unwritable path: exit 2 before the campaign', async () => {
    const { code, err } = await cli('fuzz', '--runs', '1', '--junit', '/proc/nope/fuzz.xml', '--corpus', await tmp());
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: --junit \/proc\/nope\/fuzz.xml: cannot write there/);
  });

  it('replay --html under a directory that cannot exist errors at once', async () => {
    const started = performance.now();
    const { code, err } = await cli('replay', 'fixtures/regressions/own/0141ac44d318.json', '--html', '/proc/nope/out.html');
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: --html \/proc\/nope\/out.html: cannot write there \(cannot create \/proc\/nope/);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a writable path is left as it was when the probe made it (no empty file behind a failed usage)', async () => {
    const dir = await tmp();
    const file = join(dir, 'nested', 'page.html');
    const { code } = await cli('replay', 'fixtures/regressions/own/0141ac44d318.json', '--html', file);
    expect(code).toBe(0);
    expect((await stat(file)).size).toBeGreaterThan(1000);
    const json = join(dir, 'r.json');
    expect((await cli('check', '--json', json, '--seed', 'x')).code).toBe(2);
    await expect(stat(json)).rejects.toThrow(/ENOENT/);
  });
});

describe('a process that is cut off', () => {
  it('a closed pipe ends it quietly: no EPIPE stack trace', async () => {
    const child = spawnCli(['check', '--all', '--runs', '20', '--seed', '1']);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    // `| head -1`: read the first line, then close the pipe.
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy();
    const code = await exited(child);
    expect(err).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(141);
  });

  it('SIGTERM during check prints the summary so far and writes the partial --json and --junit', async () => {
    const dir = await tmp();
    const json = join(dir, 'r.json');
    const junit = join(dir, 'r.xml');
    const child = spawnCli(['check', '--adapter', 'own', '--adapter', 'own-floor', '--runs', '100', '--seed', '2', '--json', json, '--junit', junit]);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += String(d)));
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    // Once the first adapter has its verdict, stop the second one's runs.
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        if (out.includes('own: passed after 100 run(s)')) {
          clearInterval(tick);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
    expect(err).not.toMatch(/\n\s+at /);
    expect(out).toMatch(/^own\s+idle connections expire in their window, never early\s+pass\s+100/m);
    expect(out).toMatch(/INTERRUPTED by SIGTERM while checking own \(min floor\), after \d+ run\(s\)/);
    const report = JSON.parse(await readFile(json, 'utf8')) as { passed: boolean; interrupted: string; results: { adapter: string; interrupted?: boolean }[] };
    expect(report).toMatchObject({ passed: false, interrupted: 'SIGTERM', results: [{ adapter: 'own', passed: true }, { adapter: 'own (min floor)', interrupted: true }] });
    expect(await readFile(junit, 'utf8')).toMatch(/<failure message="interrupted by SIGTERM" type="interrupted">/);
  }, 60_000);

  it('fuzz takes SIGTERM as it takes Ctrl-C: stops, keeps what it found, prints the summary', async () => {
    const root = await tmp();
    let sent = false;
    const { code, out } = await runCli(['fuzz', '--adapter', 'fixtures/mutants/off-by-one-lifetime.ts', '--time', '1h', '--workers', '1', '--seed', '3', '--corpus', root], (text) => {
      if (!sent && text.includes('new case:')) {
        sent = true;
        process.emit('SIGTERM');
      }
    });
    expect(code).toBe(143);
    expect(out).toMatch(/^fuzz INTERRUPTED: seed 3, shard 1\/1/m);
    expect(out).toMatch(/^files saved: 1$/m);
  });
});
