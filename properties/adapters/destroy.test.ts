import { afterEach, describe, expect, it } from 'vitest';
import { genericPoolAdapter } from '../../src/adapters/generic-pool.js';
import { pgPoolAdapter } from '../../src/adapters/pg-pool.js';
import { sequelizePoolAdapter } from '../../src/adapters/sequelize-pool.js';
import type { PoolAdapter } from '../../src/adapters/types.js';
import { installFakeClock, uninstallAllClocks } from '../../src/clock/fake.js';
import { createPgMemConnector } from '../../src/connectors/pgmem.js';
import { Harness } from '../../src/runner/harness.js';
import PgPool from 'pg-pool';
import genericPool from 'generic-pool';
import * as sequelizePool from 'sequelize-pool';

afterEach(() => uninstallAllClocks());

// The adapters that map a pool's own way of discarding a connection: it must close that
// connection, once, and free its place, without returning it to the idle set.
describe.each<[string, () => PoolAdapter]>([
  ['pg-pool', () => pgPoolAdapter({ Pool: PgPool }) as PoolAdapter],
  ['generic-pool', () => genericPoolAdapter({ genericPool }) as PoolAdapter],
  ['sequelize-pool', () => sequelizePoolAdapter({ Pool: sequelizePool.Pool }) as PoolAdapter],
])('%s destroy', (_name, make) => {
  it('closes the connection instead of returning it', async () => {
    const adapter = make();
    const clock = installFakeClock();
    const connector = createPgMemConnector({ now: () => clock.now() });
    const h = new Harness(adapter, null, clock, connector);
    const pool = await h.settle(() => adapter.create({ config: { minSize: 0, maxSize: 2, lifetimeMs: 1000 }, connector }), 'create');
    const conn = await h.settle(() => adapter.acquire(pool), 'acquire');
    const id = adapter.connectionId(conn);
    await h.settle(() => adapter.destroy!(pool, conn), 'destroy');
    expect(connector.events.filter((e) => e.type === 'destroy').map((e) => e.id)).toEqual([id]);
    expect(adapter.counters(pool)).toMatchObject({ idle: 0, size: 0 });
    const next = await h.settle(() => adapter.acquire(pool), 'acquire after destroy');
    expect(adapter.connectionId(next)).not.toBe(id);
    await h.settle(() => adapter.release(pool, next), 'release');
    await h.settle(() => adapter.close(pool), 'close');
    expect(connector.liveIds()).toEqual([]);
    clock.uninstall();
  });
});
