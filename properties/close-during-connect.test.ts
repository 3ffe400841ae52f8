import { afterEach, describe, expect, it } from 'vitest';
import { adapter as closeCutConnectLeaks } from '../fixtures/mutants/close-cut-connect-leaks.js';
import { adapter as terminateConnectLeaks } from '../fixtures/mutants/terminate-connect-leaks.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import { asyncpgSemantics, capabilitiesOf } from '../src/model/semantics.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { createPgMemConnector } from '../src/connectors/pgmem.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { runOnce } from '../src/runner/run-once.js';
import { infer } from '../src/infer/infer.js';
import { expectCaught } from './support/caught.js';
import { commandsFromJson } from './support/commands.js';

afterEach(() => uninstallAllClocks());

/*
 * A close that rejects the acquire behind a connect in flight (closeDuringConnect: 'rejects'):
 * the acquire is rejected when close() is called, and the connection is closed as it lands. The
 * own pool does it with closeRejectsConnects.
 */

const SEEDS = [1, 2, 3, 4, 5];
const config = { minSize: 0, maxSize: 2, lifetimeMs: 1000 };

describe('close while a connect is in flight, declared as rejecting its acquire', () => {
  it('the own pool with closeRejectsConnects rejects the acquire at the close, and closes the connection as it lands', async () => {
    const adapter = ownPoolAdapter({ closeRejectsConnects: true });
    expect(adapter.semantics.capabilities?.closeDuringConnect).toBe('rejects');
    const run = await runOnce(adapter, config, commandsFromJson([{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }]), createPgMemConnector, true, true);
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

describe('terminate while a connect is in flight', () => {
  const terminating = commandsFromJson([{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'terminate' }]);

  it.each([
    ['the own pool rejects the acquire as its connect lands', {}, 'rejects-on-landing'],
    ['the own pool with closeRejectsConnects rejects it at terminate()', { closeRejectsConnects: true }, 'rejects'],
  ] as const)('%s, closes the connection as it lands, and passes check()', async (_name, options, declared) => {
    const adapter = ownPoolAdapter(options);
    expect(adapter.semantics.capabilities?.terminateDuringConnect).toBe(declared);
    const run = await runOnce(adapter, config, terminating, createPgMemConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.map((s) => `${s.at} ${s.command}`).slice(3)).toEqual(['0 terminate()', '100 terminate(): sleep(100) until a connect in flight lands']);
    const result = await check({ adapter, seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it.each([
    ['rejecting at once, for a pool that rejects as it lands', {}, 'rejects', 'waiter-not-rejected', /^acquire #\d+ should have been rejected \(closed\) but is still pending$/],
    ['rejecting as it lands, for a pool that rejects at once', { closeRejectsConnects: true }, 'rejects-on-landing', 'waiter-answered-early', /^acquire #\d+ should still be waiting for its connect, due at \d+ ms, but it was rejected: PoolClosedError/],
  ] as const)('a wrong declaration, %s, fails with the reason', async (_name, options, claimed, kind, message) => {
    const semantics = { ...asyncpgSemantics, capabilities: { ...capabilitiesOf(ownPoolSemantics(options)), terminateDuringConnect: claimed } };
    const failure = expectCaught(await check({ adapter: ownPoolAdapter({ ...options, semantics }), seed: 1 }), kind, message);
    expect(failure.length).toBeLessThanOrEqual(4);
  });

  it('a pool that leaks the connection that lands after terminate() is caught on seeds 1-5, in a few steps', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: terminateConnectLeaks, seed, shrink: seed === 1 }), 'close-incomplete', /^connection #\d+ was still open at \d+ ms, 0 ms after the pool was closed at \d+ ms$/);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(4);
    }
  });
});

describe('infer finds what close and terminate do to a connect in flight', () => {
  it.each([
    [{}, 'serves', 'rejects-on-landing'],
    [{ closeRejectsConnects: true }, 'rejects', 'rejects'],
  ] as const)('the own pool with %o: close %s, terminate %s', async (options, close, terminate) => {
    const adapter = ownPoolAdapter(options);
    const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: false });
    expect(result.semantics?.capabilities?.closeDuringConnect).toBe(close);
    expect(result.semantics?.capabilities?.terminateDuringConnect).toBe(terminate);
  });
});
