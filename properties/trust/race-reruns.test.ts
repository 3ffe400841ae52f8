import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adapter as openingReset } from '../../fixtures/mutants/race-opening-reset.js';
import { adapter as openingFlag } from '../../fixtures/mutants/race-opening-flag.js';
import { uninstallAllClocks } from '../../src/clock/fake.js';
import { checkRaces, formatRaceResult } from '../../src/index.js';
import { decodeRerunToken, encodeRerunToken, RerunMismatchError } from '../../src/runner/rerun.js';
import { cli, runCli, type CliRun } from '../support/cli.js';
import { printedRerunLines } from './support/shell.js';

const MUTANT = 'fixtures/mutants/race-opening-reset.ts';

afterEach(() => uninstallAllClocks());

/** One real race failure, found once: its printed report is what the rerun cases paste from. */
let found: CliRun;
let token: string;
beforeAll(async () => {
  found = await cli('check', '--races', '--adapter', MUTANT, '--seed', '1', '--runs', '100');
  token = /--rerun (pc1_[\w-]+)/.exec(found.out)![1]!;
}, 60_000);

describe('a race rerun replays its failure or refuses, never passes', () => {
  it('every printed cli: line, the token\'s and the seed and path\'s, pasted through a shell, fails again with the same violation and trace', async () => {
    expect(found.code, found.err).toBe(1);
    const violation = /^Violation: (.*)$/m.exec(found.out)![1];
    const trace = found.out.slice(found.out.indexOf('Scheduled trace'), found.out.indexOf('\nRerun:'));
    const lines = printedRerunLines(found.out);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('--rerun');
    for (const words of lines) {
      const again = await runCli(words);
      expect(again.code, again.err).toBe(1);
      expect(again.out).toContain(`Violation: ${violation}`);
      expect(again.out).toContain(trace);
    }
  });

  it('a seed and path that replay a passing race are exit 2 with the reason, never "passed"', async () => {
    const { code, out, err } = await cli('check', '--races', '--adapter', 'fixtures/mutants/race-small-pool.ts', '--seed', '1', '--path', decodeRerunToken(token).path);
    expect(code).toBe(2);
    expect(out).not.toMatch(/passed/);
    expect(err).toMatch(/^poolcheck: this rerun does not replay a race failure of '[^']+': (the race they replay passes|fast-check cannot walk the path)/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('a token is refused for another adapter, for a sequential check, with its own seed, or forged, with exit 2 naming what differs', async () => {
    const other = await cli('check', '--races', '--adapter', 'fixtures/mutants/race-opening-flag.ts', '--rerun', token);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/the rerun token does not match the adapter: it was made for another adapter/);
    const sequential = await cli('check', '--adapter', MUTANT, '--rerun', token);
    expect(sequential.code).toBe(2);
    expect(sequential.err).toMatch(/the rerun token does not match the options/);
    const both = await cli('check', '--races', '--adapter', MUTANT, '--rerun', token, '--seed', '1');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--rerun carries the seed, path and replayPath of its failure/);
    const t = decodeRerunToken(token);
    await expect(checkRaces({ adapter: openingReset, rerun: encodeRerunToken({ ...t, stepsDigest: '00000000' }) })).rejects.toThrow(/but with other clients, configuration or scheduler than the token's case/);
    await expect(checkRaces({ adapter: openingReset, rerun: encodeRerunToken({ ...t, kind: 'destroyed-twice' }) })).rejects.toThrow(RerunMismatchError);
    // A sequential failure's token is not a race's.
    const seq = encodeRerunToken({ ...t, replayPath: 'A:B' });
    await expect(checkRaces({ adapter: openingReset, rerun: seq })).rejects.toThrow(/made by a sequential check/);
    await expect(checkRaces({ adapter: openingFlag, rerun: token })).rejects.toThrow(/does not match the adapter/);
  });

  it('checkRaces takes the same rerun: the seed and path, or the token', async () => {
    const t = decodeRerunToken(token);
    const bySeed = await checkRaces({ adapter: openingReset, seed: t.seed, path: t.path });
    const byToken = await checkRaces({ adapter: openingReset, rerun: token });
    expect(byToken.failure?.violation.kind).toBe(t.kind);
    expect(byToken.failure?.token).toBe(token);
    expect(formatRaceResult(byToken).split('\n').slice(1)).toEqual(formatRaceResult(bySeed).split('\n').slice(1));
  });
});
