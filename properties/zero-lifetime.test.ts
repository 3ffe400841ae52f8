import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as zeroDefaultLate } from '../fixtures/mutants/zero-default-late.js';
import { adapter as zeroDueLate } from '../fixtures/mutants/zero-due-late.js';
import { adapter as zeroRefusedLeaks } from '../fixtures/mutants/zero-refused-leaks.js';
import { genericPoolAdapter } from '../src/adapters/generic-pool.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { pgPoolAdapter, pgPoolSemantics } from '../src/adapters/pg-pool.js';
import { sequelizePoolAdapter } from '../src/adapters/sequelize-pool.js';
import { tarnAdapter } from '../src/adapters/tarn.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { asyncpgSemantics, type PoolConfig, type Semantics } from '../src/model/semantics.js';
import type { ViolationKind } from '../src/model/violation.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';
import PgPool from 'pg-pool';
import genericPool from 'generic-pool';
import * as tarn from 'tarn';
import * as sequelizePool from 'sequelize-pool';

afterEach(() => uninstallAllClocks());

/*
 * A lifetime of 0 means what each pool makes of it: off, refused, due at once, or a default. Every
 * pool whose declaration says which gets 0 drawn; here every run gets it, to check each meaning
 * against the libraries that have it, and to show a broken pool and a wrong declaration fail.
 */

const zeroOnly: fc.Arbitrary<PoolConfig> = fc.record({ minSize: fc.integer({ min: 0, max: 2 }), maxSize: fc.integer({ min: 2, max: 4 }), lifetimeMs: fc.constant(0) });
const RUNS = 40;
const SEEDS = [1, 2, 3, 4, 5];

function with0(adapter: PoolAdapter, semantics: Partial<Semantics>): PoolAdapter {
  return { ...adapter, name: `${adapter.name} (declared ${JSON.stringify(semantics.zeroLifetime)})`, semantics: { ...adapter.semantics, ...semantics } };
}

describe('a lifetime of 0, as each built-in library reads it', () => {
  it.each<[string, PoolAdapter, Semantics['zeroLifetime']]>([
    ['pg-pool: 0 disables the idle timer', pgPoolAdapter({ Pool: PgPool }), 'disables'],
    ['tarn: the constructor refuses 0', tarnAdapter({ Pool: tarn.Pool }), 'create-fails'],
    ['sequelize-pool: 0 is due at once, closed by the next reap', sequelizePoolAdapter({ Pool: sequelizePool.Pool, reapIntervalMillis: 250 }), 'due-at-once'],
    ['generic-pool: 0 reads as unset, the 30 s default', genericPoolAdapter({ genericPool, evictionRunIntervalMillis: 1000 }), { kind: 'default', ms: 30_000 }],
    ['own: 0 disables expiry', ownPoolAdapter(), 'disables'],
  ])('%s', async (_why, adapter, zero) => {
    expect(adapter.semantics.zeroLifetime).toEqual(zero);
    const result = await check({ adapter, configs: zeroOnly, numRuns: RUNS });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});

describe('a wrong meaning of 0 fails with the reason', () => {
  it.each<[string, PoolAdapter, ViolationKind, RegExp]>([
    ['tarn declared as disabling it', with0(tarnAdapter({ Pool: tarn.Pool }), { zeroLifetime: 'disables' }), 'pool-error', /creating the pool failed: Error: Tarn: invalid opt.idleTimeoutMillis 0/],
    ['pg-pool declared as refusing it', with0(pgPoolAdapter({ Pool: PgPool }), { ...pgPoolSemantics, zeroLifetime: 'create-fails' }), 'zero-lifetime-accepted', /creating the pool with a lifetime of 0 succeeded; the declared semantics say the pool refuses 0/],
    ['the own pool declared as due at once', with0(ownPoolAdapter(), { zeroLifetime: 'due-at-once' }), 'outlived', /outlived its 0 ms lifetime \(a configured 0 is declared as due at once\)/],
    ['the own pool declared with a default', with0(ownPoolAdapter(), { zeroLifetime: { kind: 'default', ms: 500 } }), 'outlived', /outlived its 500 ms lifetime \(a configured 0 is declared as a default of 500 ms\)/],
    ['sequelize-pool declared as disabling it', with0(sequelizePoolAdapter({ Pool: sequelizePool.Pool }), { zeroLifetime: 'disables' }), 'destroyed-unexpectedly', /a lifetime of 0 disables expiry/],
  ])('%s', async (_why, adapter, kind, message) => {
    expectCaught(await check({ adapter, seed: 1 }), kind, message);
  });
});

describe('broken pools for each meaning of 0 are caught on seeds 1-5, in a few steps', () => {
  it.each<[string, PoolAdapter, ViolationKind, number]>([
    ['a default armed 1 ms late', zeroDefaultLate, 'outlived', 6],
    ['"due at once" armed as 1 ms', zeroDueLate, 'outlived', 6],
    ['a refusal after the min connections opened', zeroRefusedLeaks, 'leaked-connection', 0],
  ])('%s', async (_why, adapter, kind, most) => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter, seed, shrink: seed === 1 }), kind);
      if (seed === 1) expect(failure.length).toBeLessThanOrEqual(most);
    }
  });

  it('the unbroken own pool declared with its meaning of 0 passes', async () => {
    const result = await check({ adapter: ownPoolAdapter({ semantics: { ...asyncpgSemantics, zeroLifetime: 'disables' } }), configs: zeroOnly, numRuns: RUNS });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
