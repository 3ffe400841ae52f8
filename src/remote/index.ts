/** Pools in other processes and languages, driven over the JSON-lines protocol. */
export { remoteAdapter } from './adapter.js';
export type { RemoteAdapterOptions, RemoteConnection } from './adapter.js';
export { asyncpgAdapter, asyncpgBridgePath, asyncpgPoolSemantics, defaultAsyncpgPython, DEFAULT_ASYNCPG_DSN } from './asyncpg.js';
export type { AsyncpgAdapterOptions } from './asyncpg.js';
export { RemoteError, RemoteProcessError } from './process.js';
export { PROTOCOL_VERSION } from './protocol.js';
export type { Reply, ReplyState, Request } from './protocol.js';
export type { RemoteSession } from './session.js';
