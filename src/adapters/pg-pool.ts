import { connectorClientClass, type ConnectorClient } from '../connectors/pgmem-client.js';
import type { Semantics } from '../model/semantics.js';
import { acquireTimeoutOf } from './acquire-timeout.js';
import { FROM_CONFIG, libraryOptions, poolClassOf } from './library-options.js';
import type { PoolAdapter } from './types.js';

/*
 * Line numbers cite node_modules/pg-pool/index.js, version 3.14.0.
 */

/**
 * pg-pool's idle expiry, as data.
 */
export const pgPoolSemantics: Semantics = {
  // `_release` arms one `setTimeout(..., idleTimeoutMillis)` per released client (index.js:410),
  // removed from the idle list and cleared when the client is taken again (index.js:158-159).
  expiry: { kind: 'timer' },
  // Only `_release` arms it (index.js:409-415). A new client goes straight to the caller that asked
  // for it (`_afterConnect` → `_acquireClient`, index.js:331); none is ever created idle.
  armsOn: 'release',
  // The timer fires only if `_isAboveMin()` (`_clients.length > min`, index.js:123-125) still holds
  // (index.js:411); otherwise the client stays idle, without a timer, until it is next taken. pg-pool
  // also skips arming when it is not above min at release (index.js:409); that is the same outcome,
  // since the pool cannot grow while a client is idle: `connect` queues for an idle client rather
  // than opening one (index.js:200-208). The floor counts `_clients`, connecting ones included.
  minFloor: 'size',
  // Nothing reopens clients up to min: `min` is read only by `_isAboveMin`.
  minRefill: [],
  // Released clients are pushed (index.js:427) and taken with `pop` (index.js:158).
  reuse: 'lifo',
  // `connect` with an idle client queues the request and serves it on `process.nextTick`
  // (index.js:202-203), which runs before any timer that came due while the loop was blocked.
  handoff: 'microtask',
  // `idleTimeoutMillis` 0 is kept (only `undefined` gets the 10 000 ms default, index.js:98-100)
  // and is falsy, so no idle timer is ever armed (index.js:409).
  zeroLifetime: 'disables',
  // The constructor opens nothing (index.js:67-109), and `min` is read only by `_isAboveMin`.
  minOpens: 'never',
  capabilities: {
    // `connect` at max queues a `PendingItem` (index.js:200, 207, 231); `_pulseQueue` serves the
    // queue from the front (`shift`, index.js:156). A release pushes the client idle and pulses at
    // once (index.js:427-428), so the first waiter gets it synchronously, its idle timer cleared
    // (index.js:157-164). A destroyed client (`release(true)` → `_remove(client, _pulseQueue)`,
    // index.js:392-397) and a failed connect (index.js:274-280) leave the pool below max, and the
    // pulse opens a new client for the first waiter (`newClient`, index.js:166-167).
    waiters: true,
    // `connectionTimeoutMillis`, off by default (index.js:206): a timer armed when `connect` queues
    // (index.js:219-225) removes the item and rejects it with "timeout exceeded when trying to
    // connect". The same option bounds each new client's connect (index.js:250-263), so a connect
    // slower than the acquire timeout fails too, with "Connection terminated due to connection
    // timeout" (index.js:275-277).
    acquireTimeout: 'optional',
    // `release(err)` with any truthy argument removes and ends the client at once (index.js:392,
    // 397, 172-188); the pulse after its end serves a waiter with a new client (see `waiters`).
    destroy: true,
    // A failed `client.connect` drops the client (index.js:274), pulses the queue, which opens a
    // client for the next waiter, and fails the acquire that asked (index.js:280-284).
    failedConnect: true,
    // A new client joins `_clients` before it connects (index.js:242), so it counts in `totalCount`
    // and takes capacity, not in `waitingCount`; the acquire resolves when it lands (index.js:331).
    slowConnect: true,
    // The one option, `connectionTimeoutMillis`, bounds the connect too. An acquire at max is
    // rejected by its queue timer (index.js:219-225) whatever it waits for then: the timer stays
    // armed after `_pulseQueue` hands the item to `newClient` (it is cleared only in
    // `queueCallback`, index.js:212-215). Below max there is no queue timer; the connect's own
    // timer rejects it ("Connection terminated due to connection timeout", index.js:250-263, 275-284).
    acquireTimeoutCovers: 'wait-and-connect',
    // `newClient` arms its own `connectionTimeoutMillis` timer when the connect starts
    // (index.js:250-263): a connect still in flight then is destroyed and dropped from `_clients`
    // (index.js:272-274), and the connection, when the connector lands it, is closed. One that lands
    // sooner, after its acquire timed out, is released into the pool (`_acquireClient` with
    // `pendingItem.timedOut`, index.js:346, 357-361): to the next waiter, or idle.
    lateConnect: 'own-timeout',
    // With idle clients, `connect()` only queues the acquire (with its timer) and schedules
    // `_pulseQueue` on the next tick (index.js:199-233): the clients a burst needs beyond the idle
    // ones are opened then, after every acquire of the burst set its timer.
    burstConnects: 'after-burst',
    // Every idle client carries `idleListener` on `error` (index.js:270, 385); it removes the
    // client from the idle list, clears its timer and ends it (`_remove`, index.js:59, 172-188), then
    // re-emits the error on the pool (index.js:62), which the adapter listens to.
    brokenIdle: true,
    // `end()` pulses the queue once (index.js:488-499), and while ending `_pulseQueue` only removes
    // idle clients and resolves the end once none is left (index.js:133-145): it never looks at
    // `_pendingQueue`, so a queued acquire is neither served nor rejected and waits for ever
    // (pinned in properties/adapters/pg-pool.test.ts).
    closeRejectsWaiters: false,
    // A client whose connect is in flight at `end()` is already in `_clients` (index.js:242), so
    // the ending pulse does not end the pool (index.js:140-143); when it lands, `_afterConnect`
    // hands it to its acquire as usual (index.js:306, 331, 354), and its release on the ending
    // pool removes it and pulses again, which ends the pool once no client is left
    // (`_release`, index.js:392-397).
    closeDuringConnect: 'serves',
    // Off: `connect()` queues a pending item (index.js:190-231) that only `connectionTimeoutMillis`
    // removes (index.js:219-225); pg-pool has no call that takes it back out of `_pendingQueue`.
    abort: null,
  },
  // pg-pool lends an idle client without a check (`_acquireClient`, index.js:335-360).
  validation: 'none',
};

/** A pg-pool client as pool.connect() hands it out: `release` is attached by the pool (index.js:342). */
export type PgPoolClient = ConnectorClient & { release(error?: Error | boolean): void };

/** What the adapter drives of a pg-pool Pool. */
interface PgPool {
  connect(): Promise<PgPoolClient>;
  on(event: 'error', listener: (error: Error) => void): void;
  end(): Promise<void>;
  readonly idleCount: number;
  readonly totalCount: number;
  readonly waitingCount: number;
}

/**
 * The pool, with the clients it has lent out, since pg-pool exposes no list of them and terminate
 * must destroy them.
 */
export interface PgPoolHandle {
  readonly pool: PgPool;
  readonly lent: Set<PgPoolClient>;
  ending: Promise<void> | null;
}

/** pg-pool's `Pool` class, as `import Pool from 'pg-pool'` gives it: the one the user runs. */
export type PgPoolClass = new (options: never) => unknown;

export interface PgPoolAdapterOptions {
  /** pg-pool's `Pool` class: `import Pool from 'pg-pool'`, at the version you run (or a fork). */
  readonly Pool: PgPoolClass;
  /**
   * Your own pg-pool options (`maxUses`, `allowExitOnIdle`, `log`, ...), passed to every pool.
   * `Client`, `max`, `min`, `idleTimeoutMillis` and `connectionTimeoutMillis` come from the run and
   * are refused here. An option that changes what pg-pool promises needs a `semantics` to match.
   */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly name?: string;
  /** What the pool promises, when it differs from {@link pgPoolSemantics}; a wrong one fails. */
  readonly semantics?: Semantics;
}

/** The pg-pool options the adapter sets from each run, with where a user sets them instead. */
const SET_BY_RUN = {
  Client: "poolcheck's Client over the run's connector makes every connection (see connectorClientClass)",
  max: FROM_CONFIG,
  min: FROM_CONFIG,
  idleTimeoutMillis: FROM_CONFIG,
  connectionTimeoutMillis: FROM_CONFIG,
};

/**
 * pg-pool over the run's connector, with the `Pool` class you pass: maxSize → `max`, minSize →
 * `min`, lifetime → `idleTimeoutMillis`, the acquire timeout (when the run has one) →
 * `connectionTimeoutMillis`; every client is {@link connectorClientClass}'s, so poolcheck sees each
 * connection open, run a query and close.
 *
 * @example
 * import Pool from 'pg-pool';
 * const result = await check({ adapter: pgPoolAdapter({ Pool, options: { maxUses: 7500 } }) });
 */
export function pgPoolAdapter(options: PgPoolAdapterOptions): PoolAdapter<PgPoolHandle, PgPoolClient> {
  const PoolClass = poolClassOf<unknown>('pg-pool', options, "import Pool from 'pg-pool'; pgPoolAdapter({ Pool })");
  const own = libraryOptions('pg-pool', options.options, SET_BY_RUN);
  return {
    name: options.name ?? 'pg-pool',
    semantics: options.semantics ?? pgPoolSemantics,
    create: async ({ config, connector }) => {
      // @types/pg-pool wants a constructor of pg.Client; pg-pool itself needs only what
      // connectorClientClass provides (see there), so the pool is typed here by what poolcheck uses.
      // 0 is falsy to pg-pool (index.js:206, 250), "wait for ever"; acquireTimeoutOf refuses it.
      const timeout = acquireTimeoutOf(config, 'pg-pool', 'connectionTimeoutMillis');
      const pool = new PoolClass({
        ...own,
        Client: connectorClientClass(connector),
        max: config.maxSize,
        min: config.minSize,
        idleTimeoutMillis: config.lifetimeMs,
        ...(timeout === undefined ? {} : { connectionTimeoutMillis: timeout }),
      }) as PgPool;
      // pg-pool re-emits an idle client's error on the pool after dropping the client
      // (index.js:62); an EventEmitter with no `error` listener would throw it instead. The connector
      // has already logged the break, and the drop is checked against the model.
      pool.on('error', () => undefined);
      return { pool, lent: new Set(), ending: null };
    },
    acquire: async (handle) => {
      const client = await handle.pool.connect();
      handle.lent.add(client);
      return client;
    },
    release: (handle, client) => {
      handle.lent.delete(client);
      client.release();
    },
    // pg-pool documents `release(err)` (any truthy argument) as destroying the client.
    destroy: (handle, client) => {
      handle.lent.delete(client);
      client.release(true);
    },
    query: (_handle, client, sql) => client.query(sql),
    connectionId: (client) => client.poolcheckId,
    counters: ({ pool }) => ({ idle: pool.idleCount, size: pool.totalCount, waiting: pool.waitingCount }),
    // `end` destroys the idle clients at once and each lent one as it is released, and resolves when
    // none is left (index.js:133-144, 392-397). It does not settle requests still queued for a
    // client: they wait forever (index.js:133-145 never looks at `_pendingQueue`).
    close: (handle) => end(handle),
    // pg-pool has no terminate. The nearest a user can do is `end()` and then release every lent
    // client with an error, which pg-pool documents as destroying it instead of keeping it
    // (index.js:392-397); the last one to go resolves `end`.
    terminate: async (handle) => {
      const ending = end(handle);
      for (const client of [...handle.lent]) {
        handle.lent.delete(client);
        client.release(new Error('poolcheck terminate: destroy this client'));
      }
      await ending;
    },
  };
}

/** Ends the pool once; a second caller (terminate during a close) waits on the same end. */
function end(handle: PgPoolHandle): Promise<void> {
  handle.ending ??= handle.pool.end();
  return handle.ending;
}
