import type { Connection, PoolAdapter } from 'poolcheck';
import { MyPool } from './my-pool.js';

export const myPoolAdapter: PoolAdapter<MyPool<Connection>, Connection> = {
  name: 'my pool',
  semantics: {
    expiry: { kind: 'timer' }, // one idle timer per connection
    armsOn: 'release',         // armed when a connection comes back, not when it is opened
    min: 'ignored',            // it has no minimum
    reuse: 'lifo',             // the most recently released connection goes out first
    handoff: 'microtask',      // acquire takes an idle connection synchronously
    zeroLifetime: 'disables',  // idleMs 0: no timer
    opensMinOnCreate: false,
    // A failed connect rejects its acquire and frees the slot; a connection the server ended
    // while idle stays idle, unheard, until an acquire gets it and its query fails.
    capabilities: { failedConnect: true, brokenIdle: 'unnoticed' },
  },
  create: async ({ config, connector }) =>
    new MyPool({ connect: () => connector.connect(), max: config.maxSize, idleMs: config.lifetimeMs }),
  acquire: (pool) => pool.acquire(),
  release: (pool, conn) => pool.release(conn),
  query: (_pool, conn, sql) => conn.query(sql),
  connectionId: (conn) => conn.id,
  counters: (pool) => ({ idle: pool.idle.length, size: pool.idle.length + pool.lent.size }),
  close: (pool) => pool.close(),
  terminate: (pool) => pool.terminate(),
};

// The CLI loads the module's default export: npx poolcheck check --adapter ./my-pool.poolcheck.ts
export default myPoolAdapter;
