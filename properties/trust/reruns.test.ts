import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { builtInNameOf } from '../../src/adapters/label.js';
import { ownPoolAdapter } from '../../src/adapters/own.js';
import type { PoolAdapter } from '../../src/adapters/types.js';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { formatResult } from '../../src/report/text.js';
import { check, type CheckResult } from '../../src/runner/check.js';
import { decodeRerunToken, encodeRerunToken, RerunMismatchError } from '../../src/runner/rerun.js';
import { adapter as mutant } from '../../fixtures/mutants/timer-not-cancelled-on-acquire.js';
import { cli, runCli, type CliRun } from '../support/cli.js';
import { printedRerunLines, shellWords } from './support/shell.js';

const MUTANT = 'fixtures/mutants/timer-not-cancelled-on-acquire.ts';

afterEach(() => {
  uninstallAllClocks();
  vi.restoreAllMocks();
});

/** One real failure, found once: its printed report is what the rerun cases paste from. */
let found: CliRun;
let token: string;
beforeAll(async () => {
  found = await cli('check', '--adapter', MUTANT, '--seed', '3', '--runs', '100');
  token = /--rerun (pc1_[\w-]+)/.exec(found.out)![1]!;
}, 60_000);

describe('a rerun replays its failure or refuses, never passes', () => {
  it('every printed cli: line, pasted through a shell, fails again with the same violation', async () => {
    expect(found.code).toBe(1);
    const violation = /^Violation: (.*)$/m.exec(found.out)![1];
    const lines = printedRerunLines(found.out);
    expect(lines).toHaveLength(2);
    for (const words of lines) {
      const again = await runCli(words);
      expect(again.code, again.err).toBe(1);
      expect(again.out).toContain(`Violation: ${violation}`);
    }
  });

  it('a replayPath from another case is refused with exit 2, naming what does not match', async () => {
    const { code, out, err } = await cli('check', '--adapter', MUTANT, '--seed', '3', '--path', '0:2:2:1:1:1:1:3:1:1', '--replay-path', 'Kee:F');
    expect(code).toBe(2);
    expect(out).not.toMatch(/passed/);
    expect(err).toMatch(/^poolcheck: this rerun does not replay a failure of 'mutant: timer not cancelled on acquire': the run they replay passes\. seed 3, path 0:2:2:1:1:1:1:3:1:1, replayPath Kee:F do not come from one failure/);
  });

  it.each([
    ['the replayPath left out', () => ['--seed', '3', '--path', decodeRerunToken(token).path]],
    ['the replayPath left out, with the path of an older failure', () => ['--seed', '3', '--path', '0:2:2:1:1:1:1:3:1:1']],
    ['a path fast-check cannot walk', () => ['--seed', '3', '--path', '2:2:1:4:3:3:3:4:4:4', '--replay-path', 'Kee:F']],
  ])('%s: a failure it does replay, or exit 2 with the reason; never a pass, never a stack trace', async (_name, argv) => {
    const { code, out, err } = await cli('check', '--adapter', MUTANT, ...argv());
    expect(err).not.toMatch(/\n\s+at /);
    if (code === 2) expect(err).toMatch(/^poolcheck: this rerun does not replay a failure of 'mutant: timer not cancelled on acquire': (fast-check cannot walk the path|the replayPath does not fit|the run they replay passes)/);
    else {
      expect(code).toBe(1);
      expect(out).toMatch(/FAILED after/);
    }
  });

  it('a path that is not one is refused before any run', async () => {
    const { code, err } = await cli('check', '--adapter', MUTANT, '--seed', '3', '--path', 'x:y');
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: path must look like/);
  });

  it('a token is refused for another adapter, with its own seed, path or options, or cut short', async () => {
    const other = await cli('check', '--adapter', 'fixtures/mutants/off-by-one-lifetime.ts', '--rerun', token);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/the rerun token does not match the adapter: it was made for another adapter/);
    const both = await cli('check', '--adapter', MUTANT, '--rerun', token, '--seed', '3');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--rerun carries the seed, path and replayPath of its failure/);
    const cut = await cli('check', '--adapter', MUTANT, '--rerun', token.slice(0, 30));
    expect(cut.code).toBe(2);
    expect(cut.err).toMatch(/is not a rerun token \(it does not decode; was it cut short\?\)/);
    const t = decodeRerunToken(token);
    await expect(check({ adapter: mutant as PoolAdapter, rerun: token, maxCommands: 50 })).rejects.toThrow(/does not match the options/);
    // A token whose steps differ from what its seed and path replay: another case's, edited.
    const forged = encodeRerunToken({ ...t, stepsDigest: '00000000' });
    await expect(check({ adapter: mutant as PoolAdapter, rerun: forged })).rejects.toThrow(/with other commands than the token's case/);
    const otherKind = encodeRerunToken({ ...t, kind: 'outlived' });
    await expect(check({ adapter: mutant as PoolAdapter, rerun: otherKind })).rejects.toThrow(RerunMismatchError);
  });

  it('check() and the vitest helper take the same rerun: seed, path and replayPath, or the token', async () => {
    const t = decodeRerunToken(token);
    const bySeed = await check({ adapter: mutant as PoolAdapter, seed: t.seed, path: t.path, ...(t.replayPath === null ? {} : { replayPath: t.replayPath }) });
    const byToken = await check({ adapter: mutant as PoolAdapter, rerun: token });
    expect(bySeed.failure?.commandList).toEqual(byToken.failure?.commandList);
    expect(byToken.failure?.violation.kind).toBe(t.kind);
    // What the vitest line prints is what poolProperties passes on to check().
    const vitestLine = /^ {2}vitest: poolProperties\(adapter, \{ seed: (-?\d+), path: '([\d:]+)', replayPath: '([^']+)' \}\)/m.exec(found.out);
    expect(vitestLine?.slice(1)).toEqual([String(t.seed), t.path, t.replayPath]);
    await expect(check({ adapter: mutant as PoolAdapter, seed: t.seed, path: t.path, replayPath: 'Kee:F' })).rejects.toThrow(RerunMismatchError);
  });
});

describe('fuzz rerun lines', () => {
  it('the rerun line in a campaign\'s JUnit report, pasted, fails again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'poolcheck-fuzz-rerun-'));
    const junit = join(dir, 'fuzz.xml');
    const run = await cli('fuzz', '--adapter', MUTANT, '--runs', '100', '--workers', '1', '--seed', '-7', '--corpus', dir, '--junit', junit);
    expect(run.code, run.err).toBe(1);
    const line = /^ {2}(poolcheck check --adapter [^<\n]*)/m.exec((await readFile(junit, 'utf8')).replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&'))![1]!;
    const again = await runCli(shellWords(line).slice(1));
    expect(again.code, again.err).toBe(1);
  });
});

describe('negative seeds and the seed range', () => {
  it('takes --seed -N and --seed=-N alike, and prints rerun lines that paste', async () => {
    const spaced = await cli('check', '--seed', '-1280275355', '--runs', '3');
    const joined = await cli('check', '--seed=-1280275355', '--runs', '3');
    expect(spaced.code, spaced.err).toBe(0);
    expect(spaced.out).toContain('(seed -1280275355)');
    expect(joined.out.split('\n')[0]!.replace(/in [\d.]+ s/, '')).toBe(spaced.out.split('\n')[0]!.replace(/in [\d.]+ s/, ''));
  });

  it('a failure found under a negative seed prints lines that rerun it', async () => {
    // Searched for once: a seed below zero under which this mutant fails in its first runs.
    let failed: CliRun | null = null;
    for (const seed of [-1, -2, -3, -5, -8, -13]) {
      const run = await cli('check', '--adapter', MUTANT, '--seed', String(seed), '--runs', '30');
      if (run.code === 1) {
        failed = run;
        break;
      }
    }
    expect(failed, 'no negative seed failed').not.toBeNull();
    for (const words of printedRerunLines(failed!.out)) {
      expect(words).toContain('--adapter');
      const again = await runCli(words);
      expect(again.code, again.err).toBe(1);
    }
  });

  it.each([['99999999999'], ['2147483648'], ['-2147483649'], ['1e3'], ['0x10']])('refuses --seed %s', async (seed) => {
    const { code, err } = await cli('check', `--seed=${seed}`);
    expect(code).toBe(2);
    expect(err).toMatch(/^poolcheck: --seed takes (a signed 32-bit integer \(-2147483648 to 2147483647\)|an integer), got/);
  });
});

describe('rerun lines', () => {
  it('quote what a shell would split or expand', () => {
    expect(shellWords("poolcheck check --adapter 'my pools/a b.ts' --db 'postgres://u:p@h/d?x=1&y=2'")).toEqual(['poolcheck', 'check', '--adapter', 'my pools/a b.ts', '--db', 'postgres://u:p@h/d?x=1&y=2']);
    const result = { ...failingResult(), seed: -7 };
    const text = formatResult(result, { adapter: "pools/it's mine.ts", extra: ['--db', 'postgres://u:p@h/d?a=1&b=2'] });
    const [byToken, bySeed] = printedRerunLines(text);
    expect(bySeed).toEqual(['check', '--adapter', "pools/it's mine.ts", '--seed', '-7', '--path', '1:2', '--replay-path', 'A$B:F', '--db', 'postgres://u:p@h/d?a=1&b=2']);
    expect(byToken).toEqual(['check', '--adapter', "pools/it's mine.ts", '--rerun', result.failure!.token, '--db', 'postgres://u:p@h/d?a=1&b=2']);
  });

  it('the vitest helper names a built-in adapter in its cli: line, and says where a module goes otherwise', () => {
    expect(builtInNameOf(ownPoolAdapter() as PoolAdapter)).toBe('own');
    expect(builtInNameOf({ ...(ownPoolAdapter() as PoolAdapter), name: 'my pool' })).toBeUndefined();
    expect(formatResult(failingResult(), { adapter: 'own' })).toMatch(/^ {2}cli: {4}poolcheck check --adapter own --rerun /m);
    expect(formatResult(failingResult())).toMatch(/^ {2}cli: {4}poolcheck check --adapter <your adapter module> --seed 1 /m);
  });
});

describe('the counterexample in docs/counterexamples.md', () => {
  it('is what poolcheck prints today for it (up to the wall time)', async () => {
    const doc = await readFile('docs/counterexamples.md', 'utf8');
    const block = /## How to read a counterexample\n[\s\S]*?```\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(block, 'docs/counterexamples.md has no example under "How to read a counterexample"').toBeDefined();
    const printed = found.out.slice(0, found.out.indexOf('\n\n\nadapter ')).replace(/\n+$/, '');
    const wall = (t: string): string => t.replace(/in \d+\.\d+ s \(seed/, 'in N s (seed');
    expect(wall(block!)).toBe(wall(printed));
  });
});

function failingResult(): CheckResult {
  const token = encodeRerunToken({ seed: 1, path: '1:2', replayPath: 'A$B:F', adapterDigest: 'a', optionsDigest: 'o', kind: 'outlived', stepsDigest: 's' });
  return {
    adapter: 'x',
    passed: false,
    runs: 1,
    seed: 1,
    commands: 1,
    virtualMs: 1,
    wallMs: 1,
    failure: { violation: { kind: 'outlived', at: 1, message: 'm' }, config: { minSize: 0, maxSize: 1, lifetimeMs: 1 }, steps: [], length: 0, commandList: [], commands: '', path: '1:2', replayPath: 'A$B:F', shrinks: 0, reproduced: true, token },
  };
}
