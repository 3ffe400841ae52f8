import { afterEach, describe, expect, it } from 'vitest';
import { adapter as closeCutConnectLeaks } from '../fixtures/mutants/close-cut-connect-leaks.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { commandFromJson } from '../src/commands/from-json.js';
import type { PoolCommand } from '../src/commands/index.js';
import { createPgMemConnector } from '../src/connectors/pgmem.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { runOnce } from '../src/runner/run-once.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A close that rejects the acquire behind a connect in flight (closeDuringConnect: 'rejects'):
 * the acquire is rejected when close() is called, and the connection is closed as it lands. The
 * own pool does it with closeRejectsConnects.
 */

const SEEDS = [1, 2, 3, 4, 5];
const config = { minSize: 0, maxSize: 2, lifetimeMs: 1000 };
const steps = (json: readonly object[]): PoolCommand[] => json.map((j) => commandFromJson(j) as PoolCommand);

describe('close while a connect is in flight, declared as rejecting its acquire', () => {
  it('the own pool with closeRejectsConnects rejects the acquire at the close, and closes the connection as it lands', async () => {
    const adapter = ownPoolAdapter({ closeRejectsConnects: true });
    expect(adapter.semantics.capabilities?.closeDuringConnect).toBe('rejects');
    const run = await runOnce(adapter, config, steps([{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }]), createPgMemConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.map((s) => `${s.at} ${s.command}`)).toEqual([
      '0 create pool (min 0, max 2, lifetime 1000 ms)',
      '0 slowNextConnect(100)',
      '0 acquire()',
      '0 close(): closing',
      '100 close(): sleep(100) until a connect in flight lands',
      '100 close(): resolves',
    ]);
  });

  it('passes check() at the default runs', async () => {
    const result = await check({ adapter: ownPoolAdapter({ closeRejectsConnects: true }), seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('a pool that serves it, declared as rejecting, fails with the reason', async () => {
    const adapter = ownPoolAdapter({ semantics: ownPoolSemantics({ closeRejectsConnects: true }) });
    expectCaught(await check({ adapter, seed: 1 }), 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/);
  });

  it('a pool that rejects it, declared as serving, fails with the reason', async () => {
    const adapter = ownPoolAdapter({ closeRejectsConnects: true, semantics: ownPoolSemantics() });
    const failure = expectCaught(await check({ adapter, seed: 1 }), 'waiter-answered-early', /^acquire #\d+ should still be waiting for its connect, due at \d+ ms, but it was rejected: PoolClosedError/);
    expect(failure.length).toBeLessThanOrEqual(3);
  });

  it('a pool that rejects it but leaks the connection that lands is caught on seeds 1-5, in a few steps', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: closeCutConnectLeaks, seed, shrink: seed === 1 }), 'close-incomplete', /^connection #\d+ was still open at \d+ ms, 0 ms after the pool was closed at \d+ ms$/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(4);
    }
  });
});
