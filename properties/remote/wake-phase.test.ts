import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandFromJson } from '../../src/commands/from-json.js';
import type { PoolCommand } from '../../src/commands/index.js';
import { asyncpgSemantics, noCapabilities, type Semantics } from '../../src/model/semantics.js';
import { remoteAdapter } from '../../src/remote/adapter.js';
import type { RemoteSession } from '../../src/remote/session.js';
import { runOnce } from '../../src/runner/run-once.js';

// The JSON-lines protocol's wake phase: a pool process that announces `wakePhases` in its hello
// is woken into the phase each block ends in, and one that announces none (every protocol 1
// peer) never sees a phase and is woken into `timers` only. Against the fake Node child.
const CHILD = fileURLToPath(new URL('./support/fake-child.mjs', import.meta.url));
const never: Semantics = { ...asyncpgSemantics, gracefulClose: 'after-last-release', capabilities: noCapabilities };

function fake(mode: string) {
  return remoteAdapter({ name: `fake (${mode})`, semantics: never, command: process.execPath, args: [CHILD, mode] });
}

const noConnector = (): never => {
  throw new Error('a remote adapter brings its own connector');
};

function commands(list: unknown[]): PoolCommand[] {
  return list.map((json) => {
    const c = commandFromJson(json);
    if (typeof c === 'string') throw new Error(c);
    return c;
  });
}

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
    const run = await runOnce(fake('phases'), { minSize: 0, maxSize: 3, lifetimeMs: 0 }, commands(list), noConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.some((step) => /waking into the io phase/.test(step.command))).toBe(true);
  });

  it('refuses a hello whose wakePhases it cannot use, naming the field', async () => {
    await expect(fake('bad-phases').runtime!()).rejects.toThrow(/"wakePhases" in the hello must list distinct phases among "timers", "io", "timers" among them \(or be left out: timers only\), got \["io","check"\]/);
  });
});
