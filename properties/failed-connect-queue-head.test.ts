import * as sequelizePool from 'sequelize-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as failedCreateNotDispensed } from '../fixtures/mutants/failed-create-not-dispensed.js';
import { sequelizePoolAdapter, sequelizePoolSemantics } from '../src/adapters/sequelize-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { Semantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { validateCheckOptions } from '../src/runner/validate.js';
import { expectCaught, expectCaughtAmong } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A failed connect in a pool whose connects serve the queue head (`failedConnect: true` with
 * `connectServes: 'queue-head'`, sequelize-pool): the failure rejects whoever heads the queue as
 * it is seen, frees its slot, and the pool looks at its queue again.
 */

const SEEDS = [1, 2, 3, 4, 5];
// The longest counterexample the broken pool shrinks to on these seeds.
const SHORT = 6;
const declared = sequelizePoolSemantics();
const declaring = (semantics: Semantics): PoolAdapter => sequelizePoolAdapter({ Pool: sequelizePool.Pool, semantics }) as PoolAdapter;

describe('a failed connect where connects serve the queue head', () => {
  // Declared so, sequelize-pool passes (properties/adapters/sequelize-pool.test.ts, and on a real
  // server properties/postgres/adapters/sequelize-pool.test.ts).
  it('sequelize-pool passes on seed 1, declared so', async () => {
    const result = await check({ adapter: sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter, seed: 1 });
    expect(result.passed, formatResult(result)).toBe(true);
  });

  it('rejects the head of the queue, and the acquire behind it, at max, is served once the failure frees the slot', async () => {
    const run = await replay(sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter, { minSize: 0, maxSize: 1, lifetimeMs: 1000 }, [{ op: 'failNextConnect' }, { op: 'burst', count: 2 }]);
    expect(run.violation, run.violation?.message).toBeNull();
    const burst = run.trace.find((t) => t.command.startsWith('burst'));
    expect(burst?.predicted).toMatch(/#1 rejected \(connect failed\)/);
    expect(burst?.predicted).toMatch(/#2 gets a new connection/);
  });

  // The reaper's run overdue at a blocked loop's wake, and a slow connect failing at that wake:
  // sequelize-pool's floor (`size - min`, Pool.js:83) counted the connect in flight, since the run
  // was due first. The model does not know the run's due instant, and accepts either order.
  it('a run at the wake that takes a connection while a slow connect fails then: the floor may have counted it', async () => {
    const steps = [
      { op: 'failNextConnect' }, { op: 'slowNextConnect', ms: 1001 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'acquire' },
      { op: 'release', connection: 1 }, { op: 'release', connection: 1 }, { op: 'blockingSleep', ms: 1001, acquireOnWake: false, phase: 'timers' },
    ];
    const run = await replay(sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter, { minSize: 2, maxSize: 3, lifetimeMs: 1000, acquireTimeoutMs: 1 }, steps);
    expect(run.violation, run.violation?.message).toBeNull();
    // The run took #1 at the wake, first (the runner's close takes the rest), with 2 open and the
    // failing connect counted: above min 2.
    expect((run.timeline?.events ?? []).filter((e) => e.type === 'destroy' && e.at === 1001).map((e) => e.id)[0]).toBe(1);
  });

  it('failed-create-not-dispensed.ts: a failed create that does not look at the queue again is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of SEEDS) {
      const result = await check({ adapter: failedCreateNotDispensed as PoolAdapter, seed });
      expect(expectCaughtAmong(result, ['not-settled', 'waiter-not-served']).length, formatResult(result)).toBeLessThanOrEqual(SHORT);
    }
  });

  it('declared as retried at once, sequelize-pool fails: the acquire is rejected where the model retries for it', async () => {
    const result = await check({ adapter: declaring({ ...declared, capabilities: { ...declared.capabilities!, failedConnect: { retry: 'at-once' } } }), seed: 2026, shrink: false });
    expectCaught(result, 'waiter-not-served', /^acquire #\d+ should have been served \(#\d+ gets a new connection\) but was rejected: Error: poolcheck pg-mem connector: connect failed/);
  });

  it('is a declaration poolcheck takes, no longer refused', () => {
    expect(() => validateCheckOptions({ adapter: sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter })).not.toThrow();
  });
});
