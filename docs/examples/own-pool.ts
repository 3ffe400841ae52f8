import { createPool, createPgMemConnector } from 'poolcheck';

const connector = createPgMemConnector();

const pool = await createPool({
  connect: () => connector.connect(), // anything with id, closed, query(sql), close()
  minSize: 0,                         // opened by createPool; default 0
  maxSize: 10,                        // slots; default 10
  maxInactiveConnectionLifetimeMs: 5000, // 0 disables expiry; default 300 000
  expiryRespectsMinSize: false,       // default false, as asyncpg; true makes minSize a floor
  acquireTimeoutMs: 30_000,           // default: wait forever; acquire({ timeoutMs }) overrides
});
const conn = await pool.acquire();
await conn.query('SELECT 1');
pool.release(conn);   // or pool.destroy(conn): discard it (after an error on it, say)
pool.getIdleSize(); pool.getSize(); pool.getWaitingCount();
await pool.close();   // graceful: waits for every connection to be released
pool.terminate();     // immediate
