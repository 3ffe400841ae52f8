import { afterEach, describe, expect, it } from 'vitest';
import genericPool from 'generic-pool';
import * as sequelizePool from 'sequelize-pool';
import { genericPoolAdapter } from '../../../src/adapters/generic-pool.js';
import { sequelizePoolAdapter } from '../../../src/adapters/sequelize-pool.js';
import type { PoolAdapter } from '../../../src/adapters/types.js';
import { uninstallAllClocks } from '../../../src/clock/fake.js';
import type { CommandJson } from '../../../src/commands/json.js';
import { replay } from '../../../src/runner/replay.js';
import { pgConnector } from '../support/adapters.js';
import { postgresServer, titled } from '../support/server.js';

const server = postgresServer();
afterEach(() => uninstallAllClocks());

/*
 * A server's reply lands in the poll phase, after every timer due at its instant: a connect slowed
 * to land just as two waiters' timeouts come lands after both, and the pool serves neither. The
 * fake clock used to wait for the server after each timer it fired, so the connect landed between
 * the two timeouts and served the second waiter: a false `served-after-timeout` on a real server
 * (found by `poolcheck check --adapter generic-pool --db ... --runs 20 --seed 3`, shrunk to this).
 */
const config = { minSize: 0, maxSize: 1, lifetimeMs: 0, acquireTimeoutMs: 1 };
const steps: CommandJson[] = [{ op: 'slowNextConnect', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: 1 }];

const adapters: readonly [string, () => PoolAdapter][] = [
  ['generic-pool', () => genericPoolAdapter({ genericPool }) as PoolAdapter],
  ['sequelize-pool', () => sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter],
];

describe.skipIf(server.url === null)(titled('a connect landing by I/O as waiters time out, on PostgreSQL', server), () => {
  it.each(adapters)('%s: lands after both timeouts, and serves neither', async (_name, adapter) => {
    const run = await replay(adapter(), config, steps, pgConnector());
    expect(run.violation, run.violation?.message).toBeNull();
    expect(run.trace.find((s) => s.command.startsWith('sleep'))?.observed).toMatch(/idle=1 size=1 waiting=0$/);
  });
});

/*
 * The same for a check's reply: a new connection's check, slowed to answer as both waiters' timeouts
 * come, is answered by the server after both, so the connection goes idle and nobody gets it (the
 * runner's close waits for the check). The model orders a check's reply from a real server after
 * every timer at its instant, as it does a connect.
 */
describe.skipIf(server.url === null)(titled('a check answered by I/O as waiters time out, on PostgreSQL', server), () => {
  it('generic-pool with testOnBorrow: the reply comes after both timeouts, and serves neither', async () => {
    const checked: CommandJson[] = [{ op: 'slowNextQuery', ms: 1 }, { op: 'acquire' }, { op: 'acquire' }];
    const run = await replay(genericPoolAdapter({ genericPool, validation: true }) as PoolAdapter, config, checked, pgConnector());
    expect(run.violation, run.violation?.message).toBeNull();
    expect(run.trace.find((s) => s.command.startsWith('close'))?.observed).toMatch(/idle=1 size=1 waiting=0$/);
  });
});
