import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commandsFromJson } from '../support/commands.js';
import { asyncpgSemantics, noCapabilities, type Semantics } from '../../src/model/semantics.js';
import { remoteAdapter } from '../../src/remote/adapter.js';
import { RemoteError, RemoteProcessError } from '../../src/remote/process.js';
import { runOnce } from '../../src/runner/run-once.js';

// poolcheck's side of the JSON-lines protocol, against a tiny Node child that can misbehave on
// purpose. No server, no Python: part of plain `npm test`.
const CHILD = fileURLToPath(new URL('./support/fake-child.mjs', import.meta.url));
const never: Semantics = { ...asyncpgSemantics, gracefulClose: 'after-last-release', capabilities: noCapabilities };

function fake(mode: string, replyTimeoutMs = 5000) {
  return remoteAdapter({ name: `fake (${mode})`, semantics: never, command: process.execPath, args: [CHILD, mode], replyTimeoutMs });
}

async function session(mode: string, replyTimeoutMs?: number) {
  const adapter = fake(mode, replyTimeoutMs);
  const runtime = await adapter.runtime!();
  return { adapter, runtime };
}

const noConnector = (): never => {
  throw new Error('a remote adapter brings its own connector');
};

describe('remote adapter over the JSON-lines protocol', () => {
  it('serves counters, time, timers and the connection log from the replies', async () => {
    const { adapter, runtime } = await session('good');
    try {
      const pool = await adapter.create({ config: { minSize: 0, maxSize: 2, lifetimeMs: 0 }, connector: runtime.connector });
      const conn = await adapter.acquire(pool);
      expect(adapter.connectionId(conn)).toBe(1);
      expect(adapter.counters(pool)).toEqual({ idle: 0, size: 1, waiting: 0 });
      await adapter.release(pool, conn);
      expect(adapter.counters(pool)).toEqual({ idle: 1, size: 1, waiting: 0 });
      expect(await runtime.clock.sleep(1500)).toEqual({ ok: true });
      expect(runtime.clock.now()).toBe(1500);
      runtime.clock.blockSync(200);
      expect(runtime.clock.now()).toBe(1700);
      expect(await runtime.clock.wake()).toEqual({ ok: true });
      expect(runtime.clock.pendingTimers()).toBe(0);
      expect(runtime.connector.events).toEqual([{ type: 'create', id: 1, at: 0 }]);
      expect(runtime.connector.liveIds()).toEqual([1]);
    } finally {
      await runtime.dispose();
    }
  });

  it('runs a saved command list through the runner, and kills the child at the end', async () => {
    const adapter = fake('good');
    const list = [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 1000 }, { op: 'blockingSleep', ms: 500, acquireOnWake: true }];
    const run = await runOnce(adapter, { minSize: 0, maxSize: 3, lifetimeMs: 0 }, commandsFromJson(list), noConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.virtualMs).toBe(1500);
  });

  it('refuses a saved blocking sleep into a phase the protocol cannot wake into, naming the phase', async () => {
    const list = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: 500, acquireOnWake: true, phase: 'io' }];
    const run = await runOnce(fake('good'), { minSize: 0, maxSize: 1, lifetimeMs: 0 }, commandsFromJson(list), noConnector, true, true);
    expect(run.violation?.message).toMatch(/wakes the loop into the io phase, which this pool's clock cannot order \(it can: timers\)/);
  });

  it('reports what the remote pool got wrong, as for any pool', async () => {
    // The fake never expires anything, so with a lifetime the model outlives it.
    const run = await runOnce(fake('good'), { minSize: 0, maxSize: 1, lifetimeMs: 1000 }, commandsFromJson([{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 2000 }]), noConnector, true, true);
    expect(run.violation?.kind).toBe('outlived');
    expect(run.violation?.message).toMatch(/connection #1, idle since 0 ms, outlived its 1000 ms lifetime/);
  });

  it('turns an error reply into a rejection with the child\'s message', async () => {
    const { adapter, runtime } = await session('good');
    try {
      const pool = await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: runtime.connector });
      const error = await Promise.resolve(adapter.release(pool, { id: 9 })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect((error as Error).message).toBe('no connection #9 is in use');
    } finally {
      await runtime.dispose();
    }
  });

  it('fails with the exit code and the last stderr lines when the child dies', async () => {
    const { adapter, runtime } = await session('dies');
    const error = await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: runtime.connector }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteProcessError);
    expect((error as Error).message).toMatch(/pool process exited \(code 7\) with create unanswered; its stderr ended with:\n {2}fake pool: giving up/);
    // Later calls fail at once with the same reason instead of hanging.
    expect(await runtime.clock.sleep(10)).toMatchObject({ ok: false, reason: expect.stringMatching(/exited \(code 7\)/) });
    await runtime.dispose();
  });

  it('fails, and kills the child, when it does not answer within the bound', async () => {
    const adapter = fake('silent', 1000);
    let dispose = (): Promise<void> => Promise.resolve();
    const started = Date.now();
    // The child answers hello, then nothing; on a loaded machine even its start may outlast the bound.
    const error = await (async () => {
      const runtime = await adapter.runtime!();
      dispose = runtime.dispose;
      await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: runtime.connector });
    })().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/sent no reply within 1000 ms \(real time\) while (hello|create) was pending; it was killed/);
    expect(Date.now() - started).toBeLessThan(6000);
    await dispose();
  });

  it('fails on a line that is not a reply', async () => {
    for (const [mode, message] of [
      ['garbage', /protocol error from the fake \(garbage\) pool process: not a JSON line: "this is not json"/],
      ['unknown-id', /protocol error .*a reply to request \d+, which is not pending/],
    ] as const) {
      const { adapter, runtime } = await session(mode);
      const error = await adapter.create({ config: { minSize: 0, maxSize: 1, lifetimeMs: 0 }, connector: runtime.connector }).catch((e: unknown) => e);
      expect((error as Error).message).toMatch(message);
      await runtime.dispose();
    }
  });

  it('refuses a child that speaks another protocol version, or cannot start', async () => {
    await expect(fake('wrong-protocol').runtime!()).rejects.toThrow(/answered hello with \{"protocol":99\}; poolcheck speaks protocol 1/);
    const missing = remoteAdapter({ name: 'missing', semantics: never, command: '/nonexistent/poolcheck-bridge' });
    await expect(missing.runtime!()).rejects.toThrow(/could not start the missing pool process \(\/nonexistent\/poolcheck-bridge\): spawn \/nonexistent\/poolcheck-bridge ENOENT/);
  });
});
