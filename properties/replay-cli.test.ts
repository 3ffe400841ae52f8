import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { cli } from './support/cli.js';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});


/**
 * A plain JavaScript adapter module (no build step, so the test stays quick) that declares FIFO
 * reuse for a LIFO pool: after #1 and then #2 are released, the next acquire gets #2, not #1.
 */
const fifo = { module: '', name: 'tiny pool declared FIFO' };
const semantics = { expiry: { kind: 'timer' }, armsOn: 'release', min: 'ignored', reuse: 'fifo', handoff: 'microtask', zeroLifetime: 'disables', opensMinOnCreate: false };
const steps = [
  { op: 'acquire' },
  { op: 'acquire' },
  { op: 'query', connection: 1, sql: 'SELECT 1' },
  { op: 'release', connection: 1 },
  { op: 'sleep', ms: 500 },
  { op: 'release', connection: 2 },
  { op: 'acquire' },
];

function caseJson(adapter: object, expect: object): object {
  return {
    schema: 'poolcheck/regression@1',
    adapter,
    config: { minSize: 0, maxSize: 2, lifetimeMs: 1000 },
    semantics,
    steps,
    expect,
    provenance: { seed: 3, path: '0:1', replayPath: null, found: '2026-01-01', poolcheck: '0.1.0', shard: '1/1' },
  };
}

let dir: string;
const file = (name: string) => join(dir, name);
const evidence = { verdict: 'fail', violation: { kind: 'wrong-connection', message: 'acquire #3 should have got #1, got #2' } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'poolcheck-replay-'));
  const mutant = { ...fifo, module: relative(dir, resolve('fixtures/user-adapter/tiny-pool-declared-fifo.mjs')) };
  await writeFile(file('evidence.json'), JSON.stringify(caseJson(mutant, evidence)));
  await writeFile(file('must-pass.json'), JSON.stringify(caseJson(mutant, { verdict: 'pass' })));
  await writeFile(file('fixed.json'), JSON.stringify(caseJson({ builtIn: 'own', name: 'own' }, { verdict: 'pass' })));
  await writeFile(file('unknown-adapter.json'), JSON.stringify(caseJson({ builtIn: 'no-such-pool', name: 'x' }, { verdict: 'pass' })));
  await writeFile(file('not-json.json'), '{ "schema": ');
});

describe('poolcheck replay', () => {
  it('prints the steps, the timeline and that the expectation holds: exit 0', async () => {
    const { code, out } = await cli('replay', file('evidence.json'));
    expect(code, out).toBe(0);
    expect(out).toContain('Expect: fail with wrong-connection');
    expect(out).toMatch(/^✗ {2}7\. t=500 ms {2}acquire\(\)$/m);
    expect(out).toMatch(/^ {8}pool: {2}.*got #2; idle=1 size=2 waiting=0$/m);
    expect(out).toContain('v step 7: model and pool part here');
    expect(out).toMatch(/^#1 +\*A=+q=+R-+E$/m);
    expect(out).toMatch(/^#2 +\*A=+R-+A=+$/m);
    expect(out).toMatch(/^ {6}pool +0 +0 +0 +0 +1 +1 +2 +1!$/m);
    expect(out).toMatch(/^Expectation holds: still fails as expected: wrong-connection\b/m);
    expect(out).not.toContain('\x1b[');
  });

  it('exits 1 when the expectation does not hold, either way', async () => {
    const broken = await cli('replay', file('must-pass.json'));
    expect(broken.code, broken.out).toBe(1);
    expect(broken.out).toMatch(/^Expectation does NOT hold: must pass, but fails: wrong-connection/m);
    const fixed = await cli('replay', file('fixed.json'));
    expect(fixed.code, fixed.out).toBe(0);
    expect(fixed.out).not.toContain('model and pool part here');
  });

  it('writes the HTML page with --html and prints its path', async () => {
    const out = file('pages/timeline.html');
    const { code, out: text } = await cli('replay', file('evidence.json'), '--html', out);
    expect(code).toBe(0);
    expect(text).toContain(`timeline page: ${out}`);
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<rect class="diverge-band" data-step="7"');
  });

  it('prints JSON with --json: the verdict, the steps with both counters, and the lifelines', async () => {
    const { code, out } = await cli('replay', file('evidence.json'), '--json');
    expect(code).toBe(0);
    const json = JSON.parse(out) as { schema: string; holds: boolean; violation: { kind: string }; steps: { expected?: object; actual?: object }[]; timeline: { lifelines: { id: number; marks: { kind: string }[] }[] } };
    expect(json.schema).toBe('poolcheck/replay@1');
    expect(json.holds).toBe(true);
    expect(json.violation.kind).toBe('wrong-connection');
    expect(json.steps.at(-2)).toMatchObject({ expected: { idle: 2, size: 2 }, actual: { idle: 2, size: 2 } });
    // The last acquire is drawn on #2, the connection the pool handed out against the model.
    expect(json.timeline.lifelines.map((l) => l.marks.map((m) => m.kind))).toEqual([
      ['create', 'acquire', 'query', 'release'],
      ['create', 'acquire', 'release', 'acquire'],
    ]);
  });

  it.each([
    [['replay'], /replay needs the case file to rerun/],
    [['replay', 'a.json', 'b.json'], /replay reruns one case file at a time, got 2/],
    [['replay', 'a.json', '--html'], /Option '--html <value>' argument missing/],
    [['replay', 'a.json', '--colour'], /Unknown option '--colour'/],
  ])('bad usage %j exits 2 with the usage', async (argv, message) => {
    const { code, err } = await cli(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('poolcheck replay FILE [--html OUT] [--json]');
  });

  it('a missing file, a file that is not JSON and an unknown adapter exit 2, naming the file', async () => {
    const missing = await cli('replay', file('nope.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/regression file .*nope\.json cannot be read/);
    const bad = await cli('replay', file('not-json.json'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/regression file .*not-json\.json is not JSON/);
    const unknown = await cli('replay', file('unknown-adapter.json'));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown-adapter\.json: unknown adapter "no-such-pool"; built-in adapters are own, /);
  });

  it.each([
    [['--db', ''], /--db needs the URL of a PostgreSQL server, like --db postgres:\/\/user:password@localhost:5432\/db\n/],
    [['--db', 'mysql://h/db'], /--db: 'mysql:' is not a PostgreSQL URL scheme; give postgres:\/\/user:password@host:port\/database\n/],
    [['--db', 'postgres://u:secret@127.0.0.1:1/db'], /^poolcheck: --db: no PostgreSQL server answers at 127\.0\.0\.1:1\/db \(connect ECONNREFUSED 127\.0\.0\.1:1\); start one \(scripts\/postgres\.sh prints its URL\), fix the host or port, or pass --db pg-mem\n$/],
  ])('refuses %j with exit 2 and its fix, before replaying anything', async (flags, message) => {
    const { code, out, err } = await cli('replay', file('fixed.json'), ...flags);
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
    expect(out).toBe('');
  });

  it('replays on pg-mem with --db pg-mem, and never on the server DATABASE_URL names', async () => {
    vi.stubEnv('DATABASE_URL', 'postgres://u:secret@127.0.0.1:1/db');
    try {
      for (const flags of [[], ['--db', 'pg-mem']]) {
        const { code, out } = await cli('replay', file('fixed.json'), ...flags);
        expect(code, out).toBe(0);
        expect(out).not.toContain('Connections:');
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
