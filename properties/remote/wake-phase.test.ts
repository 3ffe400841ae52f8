import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandsFromJson } from '../support/commands.js';
import { asyncpgSemantics, noCapabilities, type Semantics } from '../../src/model/semantics.js';
import { remoteAdapter } from '../../src/remote/adapter.js';
import type { RemoteSession } from '../../src/remote/session.js';
import { check } from '../../src/runner/check.js';
import { formatResult } from '../../src/report/text.js';
import { runOnce } from '../../src/runner/run-once.js';

// The JSON-lines protocol's wake phase: a pool process that announces `wakePhases` in its hello
// is woken into the phase each block ends in, and one that announces none (every protocol 1
// peer) never sees a phase and is woken into `timers` only. Against the fake Node child.
const CHILD = fileURLToPath(new URL('./support/fake-child.mjs', import.meta.url));
const EXPIRING = fileURLToPath(new URL('./support/expiring-child.mjs', import.meta.url));
const never: Semantics = { ...asyncpgSemantics, gracefulClose: 'after-last-release', capabilities: noCapabilities };

function fake(mode: string) {
  return remoteAdapter({ name: `fake (${mode})`, semantics: never, command: process.execPath, args: [CHILD, mode] });
}

const noConnector = (): never => {
  throw new Error('a remote adapter brings its own connector');
};

describe('the wake phase over the JSON-lines protocol', () => {
  it('wakes a pool process that announced phases into the phase asked for', async () => {
    const adapter = fake('phases');
    const runtime = await adapter.runtime!();
    try {
      expect(runtime.clock.wakePhases).toEqual(['timers', 'io']);
      const pool = (await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: runtime.connector })) as RemoteSession;
      runtime.clock.blockSync(10);
      expect(await runtime.clock.wake('io')).toEqual({ ok: true });
      runtime.clock.blockSync(10);
      expect(await runtime.clock.wake('timers')).toEqual({ ok: true });
      runtime.clock.blockSync(10);
      expect(await runtime.clock.wake()).toEqual({ ok: true });
      expect(await pool.request({ op: 'observe' })).toEqual({ wakes: ['io', 'timers', 'timers'] });
    } finally {
      await runtime.dispose();
    }
  });

  it('never sends a phase to a pool process that announced none, and draws only timers for it', async () => {
    // The `good` child answers an error to a wake that carries a phase.
    const adapter = fake('good');
    const runtime = await adapter.runtime!();
    try {
      expect(runtime.clock.wakePhases).toEqual(['timers']);
      const pool = (await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: runtime.connector })) as RemoteSession;
      runtime.clock.blockSync(10);
      expect(await runtime.clock.wake('timers')).toEqual({ ok: true });
      expect(await pool.request({ op: 'observe' })).toEqual({ wakes: ['timers'] });
    } finally {
      await runtime.dispose();
    }
  });

  it('replays a saved block into the io phase against a pool process that announced it', async () => {
    const list = [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: 500, acquireOnWake: true, phase: 'io' }];
    const run = await runOnce(fake('phases'), { minSize: 0, maxSize: 3, lifetimeMs: 0 }, commandsFromJson(list), noConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.some((step) => /waking into the io phase/.test(step.command))).toBe(true);
  });

  it('refuses a hello whose wakePhases it cannot use, naming the field', async () => {
    await expect(fake('bad-phases').runtime!()).rejects.toThrow(/"wakePhases" in the hello must list distinct phases among "timers", "io", "timers" among them \(or be left out: timers only\), got \["io","check"\]/);
  });
});

/**
 * A pool process with per-connection expiry and a `setImmediate` hand-off, declared with `handoff`;
 * `phases`: it announces the io phase.
 */
function expiring(handoff: 'microtask' | 'immediate' | 'timeout', phases: boolean) {
  const semantics: Semantics = { ...asyncpgSemantics, handoff, gracefulClose: 'after-last-release', capabilities: noCapabilities };
  return remoteAdapter({ name: `expiring (${handoff})`, semantics, command: process.execPath, args: [EXPIRING, phases ? 'phases' : 'none'] });
}

describe('a pool process that hands over in a setImmediate, woken into each phase', () => {
  // One idle connection whose expiry comes due during the block, and an acquire issued on the wake.
  const wakeInto = (phase: string) => commandsFromJson([{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: 1, acquireOnWake: true, phase }]);
  const config = { minSize: 0, maxSize: 1, lifetimeMs: 1 };

  it('passes declared "immediate": in io the acquire gets the idle connection, in timers a new one', async () => {
    for (const phase of ['io', 'timers']) {
      const run = await runOnce(expiring('immediate', true), config, wakeInto(phase), noConnector, true, true);
      expect(run.violation, `${phase}: ${JSON.stringify(run.trace.at(-1))}`).toBeNull();
    }
  });

  it('fails declared "timeout" on an io wake only, saying why', async () => {
    const timers = await runOnce(expiring('timeout', true), config, wakeInto('timers'), noConnector, true, true);
    expect(timers.violation).toBeNull();
    const io = await runOnce(expiring('timeout', true), config, wakeInto('io'), noConnector, true, true);
    expect(io.violation?.kind).toBe('outlived');
    expect(io.violation?.message).toMatch(/the declared setTimeout\(0\) hand-off runs after the timers that came due during a block ending in the io phase$/);
  });

  it('passes a short check declared as it is, with both phases drawn', async () => {
    const result = await check({ adapter: expiring('immediate', true), seed: 1, numRuns: 10 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('passes a short check declared "timeout" when it announces no phases: only timers wakes are drawn, where the two agree', async () => {
    const result = await check({ adapter: expiring('timeout', false), seed: 1, numRuns: 10 });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
