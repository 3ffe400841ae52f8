import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mutants } from '../fixtures/mutants/index.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check, type CheckResult } from '../src/runner/check.js';

afterEach(() => uninstallAllClocks());

/*
 * The speed of check() is tuned often; its results must not move. These outcomes were recorded
 * by this file (POOLCHECK_PIN=write) and are held against every later version: the same seed must
 * give the same runs, commands, virtual time, violation and shrunk command list, whatever the
 * harness does to go faster. A change that means to alter them records them again, in its own commit.
 */
const FILE = new URL('../fixtures/pinned/outcomes.json', import.meta.url);

const mutant = (file: string): PoolAdapter => {
  const found = mutants.find((m) => m.file === file);
  if (found === undefined) throw new Error(`poolcheck: no mutant ${file}`);
  return found.adapter;
};

const cases: readonly { name: string; adapter: () => PoolAdapter; seed: number; numRuns: number }[] = [
  { name: 'own, seed 1', adapter: () => ownPoolAdapter(), seed: 1, numRuns: 40 },
  { name: 'own, seed 7', adapter: () => ownPoolAdapter(), seed: 7, numRuns: 40 },
  { name: 'own (min floor), seed 3', adapter: () => ownPoolAdapter({ expiryRespectsMinSize: true }), seed: 3, numRuns: 40 },
  { name: 'off-by-one-lifetime, seed 1', adapter: () => mutant('off-by-one-lifetime.ts'), seed: 1, numRuns: 200 },
  { name: 'timer-not-cancelled-on-acquire, seed 5', adapter: () => mutant('timer-not-cancelled-on-acquire.ts'), seed: 5, numRuns: 200 },
  { name: 'destroy-leaks-slot, seed 2', adapter: () => mutant('destroy-leaks-slot.ts'), seed: 2, numRuns: 200 },
];

/** What a result says that must not change: everything but the wall time and the trace's wording. */
function outcome(r: CheckResult): unknown {
  const f = r.failure;
  return {
    passed: r.passed,
    runs: r.runs,
    commands: r.commands,
    virtualMs: r.virtualMs,
    failure: f === null ? null : { violation: f.violation, config: f.config, length: f.length, commandList: f.commandList, path: f.path, replayPath: f.replayPath, shrinks: f.shrinks, reproduced: f.reproduced },
  };
}

describe('pinned outcomes: the same seed gives what it gave when recorded', () => {
  const writing = process.env['POOLCHECK_PIN'] === 'write';
  const pinned = existsSync(FILE) ? (JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>) : {};
  const recorded: Record<string, unknown> = {};
  for (const c of cases) {
    it(c.name, async () => {
      const got = outcome(await check({ adapter: c.adapter(), seed: c.seed, numRuns: c.numRuns }));
      if (writing) recorded[c.name] = got;
      else expect(got).toEqual(pinned[c.name]);
    });
  }
  if (writing) it('writes the file', () => writeFileSync(FILE, `${JSON.stringify(recorded, null, 2)}\n`));
});
