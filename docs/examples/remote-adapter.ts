import { asyncpgSemantics, remoteAdapter } from 'poolcheck';
import { poolProperties } from 'poolcheck/vitest';

// What your pool promises (here: asyncpg's), and where its bridge connects.
const semantics = asyncpgSemantics;
const dsn = process.env['DATABASE_URL'] ?? 'postgres://poolcheck:poolcheck@127.0.0.1:5432/poolcheck';

// #region remote
const adapter = remoteAdapter({ name: 'my-pool', semantics, command: 'python3', args: ['bridge.py'], createOptions: { dsn } });
poolProperties(adapter, { numRuns: 20 });
// #endregion
