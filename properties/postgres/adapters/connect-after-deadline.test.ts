import { afterEach, describe, expect, it } from 'vitest';
import Pool from 'pg-pool';
import { ownPoolAdapter } from '../../../src/adapters/own.js';
import { pgPoolAdapter } from '../../../src/adapters/pg-pool.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import type { CommandJson } from '../../../src/commands/json.js';
import { replay } from '../../../src/runner/replay.js';
import { pgConnector } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';

const server = postgresServer();
afterEach(() => uninstallAllClocks());

/*
 * A timer gives up on a slow connect, and the pool hands the capacity to the waiter behind it: a
 * connect that connects at once. On a server it lands by I/O, after every timer due at that
 * instant, the waiter's own deadline among them, which covers the connect: the waiter is rejected,
 * and its connection lands as `lateConnect` says (pg-pool: idle; the own pool: closed). The model
 * served the waiter as the connect began, as it lands on pg-mem: a false `waiter-not-served` on a
 * real server (found by `poolcheck check --adapter pg-pool --db ... --runs 20 --seed 11`, shrunk
 * to the first case), then, once that was fixed, a false `expired-early` (the second case, on the
 * same seed): the waiter's connect reaches the server before the first one, whose delay is due
 * with the timer that gave up on it, so it lands first.
 */
// The own pool opens its min as it is created, so it runs these without one.
const adapters: readonly [string, () => PoolAdapter, number][] = [
  ['pg-pool', () => pgPoolAdapter({ Pool }) as PoolAdapter, 1],
  ['own, acquireTimeoutCoversConnect', () => ownPoolAdapter({ acquireTimeoutCoversConnect: true }) as PoolAdapter, 0],
];

const woken = {
  config: { minSize: 1, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 1000 },
  steps: [{ op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'blockingSleep', ms: 1000, acquireOnWake: false }] as CommandJson[],
};
const onTime = {
  config: { minSize: 1, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 1 },
  steps: [{ op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: 1 }] as CommandJson[],
};

describe.skipIf(server.url === null)(titled('a waiter handed a connect as a timer fires, its deadline due with it, on PostgreSQL', server), () => {
  it.each(adapters)('%s: after a blocked loop, the waiter times out before its connect lands', async (name, adapter, minSize) => {
    const run = await replay(adapter(), { ...woken.config, minSize }, woken.steps, pgConnector());
    expect(run.violation, run.violation?.message).toBeNull();
    const woke = run.trace.find((s) => s.command.startsWith('blockingSleep'));
    expect(woke?.predicted).toMatch(/^#1 rejected \(timed out\), #2 rejected \(timed out\); /);
    expect(woke?.observed).toMatch(name === 'pg-pool' ? /idle=1 size=1 waiting=0$/ : /idle=0 size=0 waiting=0$/);
  });

  it.each(adapters)('%s: without a block, the waiter\'s connect lands first', async (name, adapter, minSize) => {
    const run = await replay(adapter(), { ...onTime.config, minSize }, onTime.steps, pgConnector());
    expect(run.violation, run.violation?.message).toBeNull();
    const slept = run.trace.find((s) => s.command.startsWith('sleep'));
    expect(slept?.predicted).toMatch(/^#1 rejected \(timed out\), #2 rejected \(timed out\); /);
    expect(slept?.observed).toMatch(name === 'pg-pool' ? /idle=1 size=1 waiting=0$/ : /idle=0 size=0 waiting=0$/);
  });
});
