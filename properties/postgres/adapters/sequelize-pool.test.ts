import { afterEach, describe, expect, it } from 'vitest';
import { sequelizePoolAdapter, sequelizePoolSemantics } from '../../../src/adapters/sequelize-pool.js';
import { capabilitiesOf } from '../../../src/model/semantics.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import { createPgMemConnector } from '../../../src/connectors/pgmem.js';
import { formatResult } from '../../../src/report/text.js';
import { check } from '../../../src/runner/check.js';
import { replay } from '../../../src/runner/replay.js';
import { PG_SEED, pgConnector, pgRuns } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';
import * as sequelizePool from 'sequelize-pool';

const server = postgresServer();
const adapter = (): PoolAdapter => sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter;
// The adapter does not declare failed connects, for what this file shows; to replay them, claim it.
// Its refill after a discard goes too: poolcheck does not model a refill beside a failed connect,
// and the cases here run with min 0, where no refill happens. So do its creates serving the queue
// head, and what speaks of them: a failed connect is modelled for connects tied to their acquire
// only, and the cases here have no slow connect.
const claiming = (): PoolAdapter => {
  const semantics = sequelizePoolSemantics();
  const { connectServes: _serves, queueConnects: _looks, closeDuringConnect: _close, terminateDuringConnect: _terminate, ...caps } = capabilitiesOf(semantics);
  return sequelizePoolAdapter({ Pool: sequelizePool.Pool, semantics: { ...semantics, minRefill: [], capabilities: { ...caps, slowConnect: false, failedConnect: true } } }) as PoolAdapter;
};

afterEach(() => uninstallAllClocks());

/*
 * What only a real server shows: when a connect fails while another acquire's connect is still in
 * flight, sequelize-pool opens one connection more than was asked for. Its create failure handler
 * rejects the first waiter and dispenses again on process.nextTick (node_modules/sequelize-pool/
 * lib/Pool.js:150-159); the second waiter is still pending and `size < maxSize` (the in-flight
 * create is counted in size, not matched against the waiters), so a second create starts for it.
 * The first of the two to connect serves the waiter, the other stays idle. pg-mem connects within
 * microtasks, before that nextTick, which hides it.
 */
describe.skipIf(server.url === null)(titled('sequelize-pool on PostgreSQL', server), () => {
  const config = { minSize: 0, maxSize: 2, lifetimeMs: 1000 };
  const failedThenTwo = [{ op: 'failNextConnect' }, { op: 'burst', count: 2 }];

  it('opens a connection nobody asked for when a connect fails while another is in flight', async () => {
    const run = await replay(claiming(), config, failedThenTwo, pgConnector());
    expect(run.violation?.kind).toBe('unexpected-create');
    expect(run.violation?.message).toBe('the pool opened connection #2 at 0 ms, which no acquire asked for');
  });

  it('does not on pg-mem, whose connect finishes before the nextTick', async () => {
    const run = await replay(claiming(), config, failedThenTwo, createPgMemConnector);
    expect(run.violation).toBeNull();
  });

  // With its validation on, a failed check races the same way: `_dispense` destroys the resource
  // and starts a create for the waiter at its head (Pool.js:122-133); the destroy's next-tick
  // `_dispense` (Pool.js:247-249) finds the waiter still pending on a real server, whose connect
  // has not landed, and starts a second create, which lands idle. On pg-mem the first create has
  // served the waiter by then. The model follows pg-mem's order: this is the open gap.
  const checked = (): PoolAdapter => sequelizePoolAdapter({ Pool: sequelizePool.Pool, validation: true }) as PoolAdapter;
  const failedCheck = [{ op: 'acquire' }, { op: 'failNextValidation' }, { op: 'release', connection: 1 }, { op: 'acquire' }];
  it('with its validation on, opens a connection nobody asked for after a failed check', async () => {
    const run = await replay(checked(), config, failedCheck, pgConnector());
    expect(run.violation?.kind).toBe('unexpected-create');
    expect(run.violation?.message).toMatch(/^the pool opened connection #3 at 0 ms, which no acquire asked for/);
  });

  it('does not on pg-mem, whose first create serves the waiter before the nextTick', async () => {
    const run = await replay(checked(), config, failedCheck, createPgMemConnector);
    expect(run.violation).toBeNull();
  });

  it(`its declared semantics hold over ${pgRuns()} runs`, async () => {
    const result = await check({ adapter: adapter(), connector: pgConnector(), numRuns: pgRuns(), seed: PG_SEED });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
