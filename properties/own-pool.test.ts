import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { formatResult } from '../src/report/text.js';
import { check, runsFromEnv } from '../src/runner/check.js';
import { DefinitionError } from '../src/runner/violation-error.js';
import { asyncpgSemantics, capabilitiesOf } from '../src/model/semantics.js';
import { Pool } from '../src/pool/index.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

const caps = capabilitiesOf(asyncpgSemantics);
const { min: _min, ...asyncpgWithoutMin } = asyncpgSemantics;
/** asyncpg's semantics with the min shorthand replaced by `fields`, for declarations that are wrong in them. */
const withoutMin = (fields: Record<string, unknown>): unknown => ({ ...asyncpgWithoutMin, ...fields });

describe('poolcheck own pool', () => {
  it(`asyncpg semantics hold over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: ownPoolAdapter() });
    expect(result.passed, formatResult(result)).toBe(true);
    expect(result.runs).toBe(runsFromEnv());
  });

  it(`min-floor semantics hold over ${runsFromEnv()} runs with expiryRespectsMinSize`, async () => {
    const result = await check({ adapter: ownPoolAdapter({ expiryRespectsMinSize: true }) });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});

describe('check() rejects a wrong definition before any run', () => {
  it.each([
    [{}, /needs a non-empty `name`/],
    [{ name: 'x' }, /adapter 'x' is missing method\(s\) create, acquire, release, query, connectionId, counters, close, terminate/],
    [{ ...ownPoolAdapter(), semantics: undefined }, /must declare its expiry `semantics`/],
    [{ ...ownPoolAdapter(), semantics: { ...ownPoolAdapter().semantics, reuse: 'random' } }, /semantics.reuse = "random"; it must be one of "lifo", "fifo"/],
    [{ ...ownPoolAdapter(), semantics: { ...ownPoolAdapter().semantics, expiry: { kind: 'never' } } }, /semantics.expiry = \{"kind":"never"\}; it must be/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, capabilities: { ...caps, waiters: 'yes' } } }, /semantics.capabilities.waiters = "yes"; it must be true or false/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, capabilities: { ...caps, acquireTimeout: 'always' } } }, /capabilities.acquireTimeout = "always"; it must be "optional", "required" or null/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, capabilities: { ...caps, waiters: false } } }, /an acquireTimeout needs waiters: true/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, capabilities: { ...caps, slow: true } } }, /unknown field\(s\) slow; the fields are/],
    [{ ...ownPoolAdapter(), destroy: undefined }, /declares capabilities.destroy but has no destroy\(pool, conn\) method/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, minFloor: 'size' } }, /both min \(shorthand\) and minFloor\/minRefill; declare one: min = "ignored" stands for minFloor and minRefill together/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, minOpens: 'never' } }, /both opensMinOnCreate \(shorthand\) and minOpens; declare one/],
    [{ ...ownPoolAdapter(), semantics: withoutMin({ minFloor: 'all' }) }, /semantics.minFloor = "all"; it must be one of "size", "idle", "none", or left out/],
    [{ ...ownPoolAdapter(), semantics: withoutMin({ minFloor: 'size', minRefill: ['after-expiry', 'after-expiry'] }) }, /semantics.minRefill = \["after-expiry","after-expiry"\]; it must be a list of distinct values/],
    [{ ...ownPoolAdapter(), semantics: withoutMin({ minRefill: [] }) }, /no min floor; declare minFloor/],
    [{ ...ownPoolAdapter(), semantics: withoutMin({ minFloor: 'none', minRefill: ['on-reaper-run'] }) }, /minRefill includes "on-reaper-run", but expiry is not a reaper/],
    [{ ...ownPoolAdapter(), semantics: withoutMin({ minFloor: 'none', minRefill: ['after-discard'] }) }, /a min refill together with capabilities.failedConnect or slowConnect, which poolcheck does not model yet/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, capabilities: { ...caps, lateConnect: 'closed' } } }, /lateConnect applies only when the timeout covers the connect/],
    [{ ...ownPoolAdapter(), semantics: { ...asyncpgSemantics, capabilities: { ...caps, acquireTimeoutCovers: 'connect' } } }, /acquireTimeoutCovers = "connect"; it must be "wait", "wait-and-connect", or left out/],
  ])('adapter %#', async (adapter, message) => {
    await expect(check({ adapter: adapter as unknown as PoolAdapter })).rejects.toThrow(message);
    await expect(check({ adapter: adapter as unknown as PoolAdapter })).rejects.toBeInstanceOf(DefinitionError);
  });

  it.each([
    [{ numRuns: 0 }, /numRuns must be a whole number >= 1, got 0/],
    [{ seed: 1.5 }, /seed must be an integer, got 1.5/],
    [{ path: '1:2' }, /path replays a failure only together with the seed/],
    [{ seed: 1, path: 'abc' }, /path must look like '12:0:3'/],
  ])('option %j', async (options, message) => {
    await expect(check({ adapter: ownPoolAdapter(), ...options })).rejects.toThrow(message);
  });
});

describe('the own pool declared wrongly', () => {
  it('a min floor declared for asyncpg mode fails: expiry there ignores minSize', async () => {
    const result = await check({ adapter: ownPoolAdapter({ semantics: { ...asyncpgSemantics, min: 'floor' } }), seed: 1 });
    expectCaught(result, 'floor-broken', /expired at \d+ ms although only \d+ connection\(s\) were open and the declared min floor is \d+/);
  });

  it('minSize ignored, declared for the floor mode, fails: the floor keeps the connection', async () => {
    const result = await check({ adapter: ownPoolAdapter({ expiryRespectsMinSize: true, semantics: asyncpgSemantics }), seed: 1 });
    expectCaught(result, 'outlived', /outlived its \d+ ms lifetime.*\(declared: per-connection timer\)/);
  });

  it('a floor on open connections, declared for a floor on idle ones, fails: the idle floor keeps more', async () => {
    const result = await check({ adapter: ownPoolAdapter({ expiryRespectsMinSize: true, minFloorCounts: 'idle', semantics: { ...asyncpgSemantics, min: 'floor' } }), seed: 1 });
    expectCaught(result, 'outlived', /outlived its \d+ ms lifetime.*\(declared: per-connection timer\)/);
  });
});

describe('a pool declared with a queue it does not have', () => {
  it('fails: an acquire at max is rejected at once, before its time', async () => {
    // The own pool with a zero acquire timeout rejects at max on the next tick: no queue to speak of.
    const adapter = ownPoolAdapter({ name: 'own, rejects at max', makePool: (o) => new Pool({ ...o, acquireTimeoutMs: 0 }) });
    const result = await check({ adapter, seed: 1 });
    expectCaught(result, 'waiter-answered-early', /acquire #\d+ should still be waiting .* but it was rejected: PoolTimeoutError/);
  });
});
