import { afterEach, describe, expect, it } from 'vitest';
import { adapter as brokenIdleKept } from '../fixtures/mutants/broken-idle-kept.js';
import { adapter as abandonedConnectionLeaks } from '../fixtures/mutants/abandoned-connection-leaks.js';
import { adapter as destroyLeaksSlot } from '../fixtures/mutants/destroy-leaks-slot.js';
import { adapter as invalidNotClosed } from '../fixtures/mutants/invalid-not-closed.js';
import { adapter as timerNotCancelled } from '../fixtures/mutants/timer-not-cancelled-on-acquire.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

describe('replaying a saved command list', () => {
  it('gives the same violation and trace as the shrunk failure it was saved from', async () => {
    const failure = expectCaught(await check({ adapter: timerNotCancelled, seed: 3 }), 'destroyed-in-use');
    const again = await replay(timerNotCancelled, failure.config, failure.commandList);
    expect(again.violation).toEqual(failure.violation);
    // A saved sleep has its length fixed, so it no longer says which deadline it was aimed at.
    const unaimed = (steps: typeof failure.steps) => steps.map((s) => ({ ...s, command: s.command.replace(/ \[[^\]]*\]/, '') }));
    expect(unaimed(again.trace)).toEqual(unaimed(failure.steps));
  });

  it('passes on the fixed pool: the saved bug is gone there', async () => {
    const failure = expectCaught(await check({ adapter: timerNotCancelled, seed: 3 }), 'destroyed-in-use');
    const fixed = await replay(ownPoolAdapter(), failure.config, failure.commandList);
    expect(fixed.violation).toBeNull();
    expect(fixed.commands).toBe(failure.length);
  });

  it('survives JSON: the list is plain data', async () => {
    const failure = expectCaught(await check({ adapter: timerNotCancelled, seed: 3 }), 'destroyed-in-use');
    const saved = JSON.parse(JSON.stringify({ config: failure.config, commands: failure.commandList })) as { config: typeof failure.config; commands: unknown[] };
    expect((await replay(timerNotCancelled, saved.config, saved.commands)).violation?.kind).toBe('destroyed-in-use');
  });

  it.each([
    [[{ op: 'jump' }], /step 1 of the command list: unknown op "jump"; ops are acquire, burst, release/],
    [[{ op: 'acquire' }, { op: 'release' }], /step 2 of the command list: "release" needs "connection", a whole number >= 1, got undefined/],
    [[{ op: 'sleep', ms: -5 }], /"sleep" needs "ms", a whole number >= 0, got -5/],
    [[{ op: 'query', connection: 1, sql: 'DROP TABLE x' }], /"query" runs "SELECT 1" only/],
    [[{ op: 'acquire' }, { op: 'release', connection: 7 }], /step 2, release\(#7\), does not apply: the pool is open with connection\(s\) #1 in use/],
    [[{ op: 'abort', acquire: 0 }], /"abort" needs "acquire", a whole number >= 1, got 0/],
    [[{ op: 'acquire' }, { op: 'abort', acquire: 1 }], /step 2, abort\(acquire #1\), does not apply/],
    [[{ op: 'slowNextQuery' }], /"slowNextQuery" needs "ms", a whole number >= 1, got undefined/],
  ])('refuses %j, naming the step and what is wrong', async (commands, message) => {
    await expect(replay(ownPoolAdapter(), { minSize: 0, maxSize: 2, lifetimeMs: 100 }, commands)).rejects.toThrow(message);
  });

  it('replays the waits and faults: the fixed pool passes, and each broken one fails as it should', async () => {
    const config = { minSize: 0, maxSize: 1, lifetimeMs: 100, acquireTimeoutMs: 50 };
    const steps = [
      { op: 'acquire' },
      { op: 'burst', count: 2 },
      { op: 'failNextConnect' },
      { op: 'destroy', connection: 1 },
      { op: 'slowNextConnect', ms: 10 },
      { op: 'release', connection: 2 },
      { op: 'breakIdle', connection: 2 },
      { op: 'acquire' },
      { op: 'acquire' },
      { op: 'sleep', ms: 10 },
      { op: 'release', connection: 3 },
      { op: 'sleep', ms: 50 },
    ];
    const fixed = await replay(ownPoolAdapter(), config, steps);
    expect(fixed.violation, fixed.trace.map((s) => `${s.command}: ${s.predicted} | ${s.observed}`).join('\n')).toBeNull();
    expect((await replay(destroyLeaksSlot, config, steps)).violation?.kind).toMatch(/^(waiter-not-served|acquire-not-rejected|not-settled)$/);
    expect((await replay(brokenIdleKept, config, steps)).violation?.kind).toBe('kept-broken');
  });

  it('replays aborts and validation faults: the fixed pool passes, and each broken one fails as it should', async () => {
    const config = { minSize: 0, maxSize: 2, lifetimeMs: 100 };
    const steps = [
      { op: 'acquire' },
      { op: 'acquire' },
      { op: 'acquire' },
      // Aborted while it waits in the queue.
      { op: 'abort', acquire: 3 },
      { op: 'release', connection: 1 },
      { op: 'slowNextQuery', ms: 10 },
      { op: 'failNextValidation' },
      { op: 'acquire' },
      // Aborted while its (failing) validation is in flight: the connection is closed when it fails.
      { op: 'abort', acquire: 4 },
      { op: 'sleep', ms: 10 },
      { op: 'slowNextConnect', ms: 5 },
      { op: 'acquire' },
      // Aborted while its connect is in flight: the connection lands for nobody, and stays idle.
      { op: 'abort', acquire: 5 },
      { op: 'sleep', ms: 5 },
      { op: 'acquire' },
    ];
    const saved = JSON.parse(JSON.stringify(steps)) as unknown[];
    const fixed = await replay(ownPoolAdapter({ validation: 'async' }), config, saved);
    expect(fixed.violation, fixed.trace.map((s) => `${s.command}: ${s.predicted} | ${s.observed}`).join('\n')).toBeNull();
    expect(fixed.commandList).toEqual(steps);
    expect((await replay(invalidNotClosed, config, saved)).violation?.kind).toBe('kept-invalid');
    expect((await replay(abandonedConnectionLeaks, config, saved)).violation?.kind).toMatch(/^(count-mismatch|waiter-not-served)$/);
  });

  it('refuses a configuration no pool can have', async () => {
    await expect(replay(ownPoolAdapter(), { minSize: 3, maxSize: 2, lifetimeMs: 100 }, [])).rejects.toThrow(/config.minSize 3 is above config.maxSize 2/);
    await expect(replay(ownPoolAdapter(), { minSize: 0, maxSize: 2, lifetimeMs: 100, acquireTimeoutMs: 0 }, [])).rejects.toThrow(/config.acquireTimeoutMs must be a whole number >= 1, got 0/);
  });
});
