import type { Connection } from '../connectors/types.js';
import type { Semantics } from '../model/semantics.js';
import { DefinitionError } from '../runner/violation-error.js';
import { acquireTimeoutOf, LONGEST_TIMER_MS } from './acquire-timeout.js';
import { libraryOptions, poolClassOf, reaperPoolRunOptions } from './library-options.js';
import type { PoolAdapter } from './types.js';

/** tarn's own default for `reapIntervalMillis` (`opt.reapIntervalMillis || 1000`, Pool.js). */
export const TARN_DEFAULT_REAP_INTERVAL_MS = 1000;

/** tarn's `Pool` class, as `import { Pool } from 'tarn'` gives it. */
/** tarn's own default for `createRetryIntervalMillis` (`opt.createRetryIntervalMillis || 200`, Pool.js:77). */
export const TARN_DEFAULT_CREATE_RETRY_MS = 200;

/** tarn's own default for `createTimeoutMillis` (`opt.createTimeoutMillis || 30000`, Pool.js:73). */
export const TARN_DEFAULT_CREATE_TIMEOUT_MS = 30_000;

export type TarnPoolClass = new (options: never) => unknown;

export interface TarnAdapterOptions {
  /** tarn's `Pool` class, the one you run: `import { Pool } from 'tarn'`. */
  readonly Pool: TarnPoolClass;
  /**
   * Your own tarn options (`createTimeoutMillis`, ...), passed to every pool; `validate` is
   * refused (see `validation` below). `create`, `destroy`, the sizes, `idleTimeoutMillis` and
   * `acquireTimeoutMillis` come from the run; `reapIntervalMillis` is this adapter's own, since
   * the declared reaper follows it.
   */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly name?: string;
  /** Overrides the declared semantics, to show that a wrong declaration fails. */
  readonly semantics?: Semantics;
  /** tarn's `reapIntervalMillis`, and the declared reaper interval. Default 1000, as tarn. */
  readonly reapIntervalMillis?: number;
  /**
   * Gives tarn a `validate` that asks the connection with a query (`validate()`, so the
   * connector's faults can fail it or slow it), declared as tarn then checks: every resource it
   * hands out, idle, released to a waiter or just created. Default false: tarn's own `() => true`.
   */
  readonly validation?: boolean;
}

/**
 * tarn with a `validate` that can fail. `_doAcquire` takes the pending acquire out of its queue
 * and the top free resource into `used`, for every pair it can make, and only then do the checks
 * answer, each in the microtasks after (`_validateResource` wraps the answer in a promise,
 * Pool.js:268-346, 348-352): acquires issued together each take their resource first, as
 * `'async'` says, though the function is synchronous. A resource released to a waiter is pushed
 * free and goes through the same loop (`release()`, Pool.js:132-144), and so does one just
 * created (`_create`, Pool.js:410-420, then `_tryAcquireOrCreate`): `alsoChecks: ['released',
 * 'opened']`. One that fails is destroyed, its acquire put back at the head of the queue
 * (`pendingAcquires.unshift`), and a `setTimeout(0)` looks at the queue again (Pool.js:309-330).
 * The check awaits the connection's query, so a slow one holds its acquire out of the queue
 * across steps (`slowQuery`), and the acquire's deadline or abort meanwhile closes the connection.
 */
function withValidation(semantics: Semantics, on: boolean): Semantics {
  if (!on) return semantics;
  const caps = semantics.capabilities ?? {};
  return {
    ...semantics,
    validation: { check: 'async', alsoChecks: ['released', 'opened'] },
    capabilities: {
      ...caps,
      failedValidation: true,
      // The adapter's `validate` awaits the connection's query (`Connection.validate()`), so a slow
      // query holds the check, its acquire out of `pendingAcquires` and its resource in `used`
      // (`_doAcquire`, Pool.js:275-286).
      slowQuery: true,
      // The acquire's rejection, by its deadline or its abort, aborts the validation's
      // `PendingOperation` (`pendingAcquire.promise.catch`, Pool.js:288-291): the check counts as
      // failed, the resource is destroyed, and a `setTimeout(0)` looks at the queue (Pool.js:300-316).
      lateCheck: 'closed',
      abort: { lateConnection: caps.abort?.lateConnection ?? 'idle', lateCheck: 'closed' },
    },
  };
}

/**
 * What tarn 3.1 promises, read from `node_modules/tarn/dist/Pool.js` (and `Resource.js`), for a
 * given reaper interval. Each field cites the code it comes from.
 */
export function tarnSemantics(reapIntervalMillis = TARN_DEFAULT_REAP_INTERVAL_MS, createRetryIntervalMillis = TARN_DEFAULT_CREATE_RETRY_MS, createTimeoutMillis = TARN_DEFAULT_CREATE_TIMEOUT_MS, propagateCreateError = false): Semantics {
  return {
    expiry: {
      kind: 'reaper',
      // `_startReaping`: `setInterval(() => this.check(), this.reapIntervalMillis)`.
      intervalMs: reapIntervalMillis,
      // `_startReaping` has one call site: `_doAcquire`, once a resource passed validation and
      // just before the acquire resolves. `check()` stops the interval when the pool is empty
      // (`isEmpty()`: nothing free, used or pending) and the next acquire starts it again, so it
      // runs whenever a connection exists.
      startsOn: 'first-acquire',
      // `check()`: `duration(timestamp, free.timestamp) >= this.idleTimeoutMillis`.
      compare: '>=',
      // `check()` walks the whole free list; only the min floor caps how many go.
      maxPerRun: null,
      // `check()` ends with `if (this.isEmpty()) this._stopReaping()` (Pool.js:175-179), and only
      // an acquire served starts it again (`_doAcquire`, Pool.js:306). A create that lands for
      // nobody (its acquire timed out or was aborted) leaves its resource free with the reaper off.
      stopsWhenEmpty: true,
    },
    // `Resource`'s constructor stamps `timestamp = now()`. `release()` stamps it through
    // `used.resolve()`, which returns a new Resource; `_create()` pushes `new Resource(resource)`
    // onto the free list, so a connection created and never lent (its acquire was served by a
    // release meanwhile) is idle from its creation.
    armsOn: 'release-and-create',
    // `check()`: `maxDestroy = free.length - (min - used.length)`, so a run never takes the pool
    // below `min`; it walks the free list from the front (the longest idle first) and keeps the
    // rest, which a later run may take. The floor counts open connections, used and free.
    minFloor: 'size',
    // Nothing refills: tarn 3 has no code that opens connections except for a pending acquire
    // (`_shouldCreateMoreResources`).
    minRefill: [],
    // `_doAcquire`: `this.free.pop()`, while `release()` and `_create()` push.
    reuse: 'lifo',
    // `acquire()` calls `_tryAcquireOrCreate()` synchronously, and `_doAcquire` moves the free
    // resource to `used` before returning (only the promise resolves later). An acquire issued as
    // a blocked loop wakes has its connection before the overdue reaper interval runs.
    handoff: 'microtask',
    // The constructor: `checkOptionalTime(opt.idleTimeoutMillis)` requires an integer `> 0` and
    // throws `Tarn: invalid opt.idleTimeoutMillis 0` (Pool.js:38-40), so creating the pool fails.
    zeroLifetime: 'create-fails',
    // The constructor opens nothing; connections are created only for pending acquires.
    minOpens: 'never',
    // `destroy()` waits for every used resource to be released, then destroys the free ones
    // together: a connection idle when the close began stays open until the last release.
    gracefulClose: 'after-last-release',
    capabilities: {
      // `acquire()` pushes a `PendingOperation` (Pool.js:115-116); `_doAcquire` shifts the first
      // one (Pool.js:275). `release()` pushes the resource free and calls `_tryAcquireOrCreate()`
      // (Pool.js:138-139), which moves it to `used` for the first waiter in the same call
      // (Pool.js:268-290); only the resolve waits for validation, a few microtasks.
      waiters: true,
      // `acquireTimeoutMillis`, always on: `opt.acquireTimeoutMillis || 30000` (Pool.js:72), and
      // every `PendingOperation` races its promise against a `setTimeout` armed in `acquire()`
      // (PendingOperation.js:7-27, 39-52); the waiter is rejected with a `TimeoutError` ("operation
      // timed out for an unknown reason") and removed (Pool.js:124-127). The adapter always passes
      // one (see `create`), so tarn's default never applies.
      acquireTimeout: 'required',
      // The `PendingOperation`'s timer runs from the `acquire()` call (PendingOperation.js:7-27), a
      // create included; the create goes on and its resource ends up free or with the next pending
      // acquire (`_create`, Pool.js:397-425, then `_tryAcquireOrCreate`).
      acquireTimeoutCovers: 'wait-and-connect',
      lateConnect: 'kept',
      // Off: tarn 3 has no way to discard a resource in use. `release()` is the only way back
      // (Pool.js:132-144); a broken resource can only be caught by `validate` at a later acquire
      // (Pool.js:309-322).
      destroy: false,
      // A failed create is retried, not reported: `_doCreate` catches the error and arms a timer
      // that calls `_tryAcquireOrCreate()` after `createRetryIntervalMillis` (`opt.createRetryIntervalMillis
      // || 200`, Pool.js:77, 389-394); the acquire waits, its timer running, and times out with the
      // create's error message (Pool.js:384-388, PendingOperation.js:13-16). Each look at the queue
      // (an acquire, the retry's timer) calls `_doCreate` once at most (`_tryAcquireOrCreate`,
      // Pool.js:253-263), while `pendingCreates < pendingAcquires` (Pool.js:353-356), so a queue a
      // failure left short gets one create per look. A create still in flight `createTimeoutMillis`
      // after it began (`opt.createTimeoutMillis || 30000`, Pool.js:73) is rejected by its
      // `PendingOperation` (Pool.js:400-408): it leaves `pendingCreates`, its resource is destroyed
      // as it lands (Pool.js:412-416), and `_doCreate`'s catch arms the retry as for a failed create.
      // With `propagateCreateError` (off by default: `!!opt.propagateCreateError`, Pool.js:78) that
      // catch first rejects `pendingAcquires[0]`, whoever heads the queue then, with the create's
      // error (Pool.js:376-384), and still arms the retry (Pool.js:389-394); the rejection clears
      // the head's timer and takes it out of `pendingAcquires` (PendingOperation.js:39-52,
      // Pool.js:124-128) but calls no `_tryAcquireOrCreate`, so the acquires behind wait for the
      // retry: `rejectsHead`.
      failedConnect: { retry: { afterMs: createRetryIntervalMillis }, perLook: 'one', connectTimeoutMs: createTimeoutMillis, ...(propagateCreateError ? { rejectsHead: true } : {}) },
      // A create takes as long as the connector's connect (`_create`, Pool.js:397-425); the
      // acquire stays pending in `pendingAcquires` meanwhile, its `PendingOperation`'s timer running.
      slowConnect: true,
      // A create belongs to no acquire: `_doCreate` starts one when `_shouldCreateMoreResources`
      // (`used + pendingCreates < max` and `pendingCreates < pendingAcquires`, Pool.js:353-356),
      // and its resource is pushed free and handed by `_tryAcquireOrCreate` → `_doAcquire` to
      // `pendingAcquires.shift()`, the head of the queue (Pool.js:270-276, 364-370, 410-414),
      // whichever acquire started it. Meanwhile the acquire counts in `numPendingAcquires()`.
      connectServes: 'queue-head',
      // `check()` keeps `min - used.length` free resources (Pool.js:160-161): its floor counts
      // used and free, not `pendingCreates`.
      connectsInFloor: false,
      // tarn never listens to its resources (`_create` pushes what `create` gave into `free`,
      // Pool.js:410-420): a connection the server ended stays free, counted, until `check()`
      // reaps it as any free one (Pool.js:157-180) or `_doAcquire` hands it out; with a
      // `validate`, the check there fails, and the resource is destroyed and the acquire put back
      // at the head of the queue (Pool.js:300-330), as a failed validation does.
      brokenIdle: 'unnoticed',
      // Late: `destroy()` first waits for every used resource (Pool.js:206-209), and only then
      // aborts the pending acquires with "aborted" (Pool.js:210-216, PendingOperation.js:28-30).
      // Until the last release a waiter stays pending (a release meanwhile serves nobody:
      // `_tryAcquireOrCreate` returns once `destroyed`, Pool.js:255-257), or times out.
      closeRejectsWaiters: 'after-last-release',
      // `destroy()` first waits for every pending create (Pool.js:188-190); a create that lands
      // meanwhile pushes its resource free (Pool.js:410-414) and `_tryAcquireOrCreate` returns at
      // once on the destroyed pool (Pool.js:254-256), so it serves no waiter. The free resources
      // are destroyed together after the last release (Pool.js:217-222), and the pending acquires
      // aborted just before (Pool.js:210-216), so the last landing holds them too.
      closeDuringConnect: 'lands-idle',
      // The adapter's terminate releases every lent connection into the destroyed pool at once, so
      // the same abort comes at once.
      terminateRejectsWaiters: true,
      // The adapter's terminate is `destroy()`, so with creates in flight it is the close above:
      // `destroy()` waits for every pending create (Pool.js:188-190), a create that lands pushes its
      // resource free (Pool.js:419) and serves no waiter (Pool.js:254-256); the lent ones, released
      // at once, are free already, so as the last create lands the pending acquires are aborted
      // (Pool.js:210-216) and every free resource destroyed (Pool.js:220-222), and only then does
      // `destroy()` resolve.
      terminateDuringConnect: 'lands-idle',
      // `acquire()` returns its `PendingOperation` (Pool.js:112-131), whose `abort()` rejects it with
      // "aborted" (PendingOperation.js:28-30); the rejection removes it from `pendingAcquires`
      // (Pool.js:124-128). The adapter calls it when the signal aborts. A create in flight is not
      // bound to an acquire: when it lands its resource goes to the next pending acquire, or free
      // (`_doCreate`, Pool.js:364-370, then `_tryAcquireOrCreate`).
      abort: { lateConnection: 'idle' },
    },
    // The adapter's `validate` is tarn's default, `() => true` (Pool.js:70): tarn calls it on every
    // free resource before handing it out (`_doAcquire`, Pool.js:268-346), but it never fails.
    validation: 'none',
  };
}

/**
 * What the adapter drives of a tarn pool. Declared here, not imported from tarn, so that
 * poolcheck's types hold for a user who has not installed it.
 */
export interface TarnPoolInstance {
  acquire(): { readonly promise: Promise<Connection>; abort(): void };
  release(conn: Connection): boolean;
  destroy(): Promise<unknown>;
  numFree(): number;
  numUsed(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

/**
 * A tarn pool and the connections it has lent out. tarn cannot close connections in use, so
 * terminate hands them back before destroying the pool; the adapter keeps its own record of them
 * rather than reading tarn's `used` list.
 */
export interface TarnPool {
  readonly pool: TarnPoolInstance;
  readonly lent: Set<Connection>;
}

/**
 * tarn (`Pool` from the `tarn` package) over any poolcheck connector. `config.lifetimeMs` is
 * tarn's `idleTimeoutMillis` and `config.acquireTimeoutMs` its `acquireTimeoutMillis` (tarn always
 * has one; a run without one gets the longest timer, never tarn's 30 s default). The create and
 * destroy timeouts keep tarn's defaults (30 s and 5 s), or your `options`; the create timeout and
 * the retry interval are declared (`failedConnect`), since a connect can outlast the first.
 *
 * - **close** is `pool.destroy()`, which waits for every used resource to be released, then aborts
 *   pending acquires and destroys the free resources. It keeps idle connections open until the
 *   last one in use comes back.
 * - **terminate**: tarn has no immediate shutdown, so it is `destroy()` with every lent
 *   connection released into the destroyed pool at once, which then destroys them all together.
 *
 * @example
 * import { Pool } from 'tarn';
 * const result = await check({ adapter: tarnAdapter({ Pool, reapIntervalMillis: 250 }) });
 */
export function tarnAdapter(options: TarnAdapterOptions): PoolAdapter<TarnPool, Connection> {
  const TarnPoolOf = poolClassOf<TarnPoolInstance>('tarn', options, "import { Pool } from 'tarn'; tarnAdapter({ Pool })");
  const own = libraryOptions('tarn', options.options, reaperPoolRunOptions('tarnAdapter'));
  if (own['validate'] !== undefined) {
    throw new DefinitionError("poolcheck tarn adapter: options.validate would fail as your function decides, which no declaration can follow; leave it out, and pass tarnAdapter({ validation: true }) for a validate that asks the connection, which poolcheck's faults fail");
  }
  const validation = options.validation === true;
  const reapIntervalMillis = options.reapIntervalMillis ?? TARN_DEFAULT_REAP_INTERVAL_MS;
  if (!Number.isSafeInteger(reapIntervalMillis) || reapIntervalMillis <= 0) {
    throw new DefinitionError(`poolcheck tarn adapter: reapIntervalMillis must be a whole number of ms > 0, as tarn requires; got ${String(reapIntervalMillis)}`);
  }
  const retryOption = own['createRetryIntervalMillis'];
  if (retryOption !== undefined && (!Number.isSafeInteger(retryOption) || (retryOption as number) < 0)) {
    throw new DefinitionError(`poolcheck tarn adapter: options.createRetryIntervalMillis must be a whole number of ms >= 0 (0 is tarn's default, 200 ms); got ${String(retryOption)}`);
  }
  // tarn reads 0 as unset (`|| 200`, `|| 30000`), and checks createTimeoutMillis itself (Pool.js:32-34).
  const retryMs = (retryOption as number | undefined) || TARN_DEFAULT_CREATE_RETRY_MS;
  const timeoutOption = own['createTimeoutMillis'];
  const createTimeoutMs = Number.isSafeInteger(timeoutOption) ? (timeoutOption as number) || TARN_DEFAULT_CREATE_TIMEOUT_MS : TARN_DEFAULT_CREATE_TIMEOUT_MS;
  // Read as tarn reads it (`!!opt.propagateCreateError`, Pool.js:78).
  const propagateCreateError = !!own['propagateCreateError'];
  return {
    name: options.name ?? (options.reapIntervalMillis === undefined ? 'tarn' : `tarn (reap every ${reapIntervalMillis} ms)`),
    semantics: options.semantics ?? withValidation(tarnSemantics(reapIntervalMillis, retryMs, createTimeoutMs, propagateCreateError), validation),
    create: async ({ config, connector }) => ({
      pool: new TarnPoolOf({
        ...own,
        ...(validation ? { validate: (conn: Connection) => conn.validate() } : {}),
        create: () => connector.connect(),
        destroy: (conn: Connection) => conn.close(),
        min: config.minSize,
        max: config.maxSize,
        idleTimeoutMillis: config.lifetimeMs,
        reapIntervalMillis,
        acquireTimeoutMillis: acquireTimeoutOf(config, 'tarn', 'acquireTimeoutMillis') ?? LONGEST_TIMER_MS,
      }),
      lent: new Set<Connection>(),
    }),
    acquire: async (p, options) => {
      const pending = p.pool.acquire();
      options?.signal?.addEventListener('abort', () => pending.abort(), { once: true });
      const conn = await pending.promise;
      p.lent.add(conn);
      return conn;
    },
    release: (p, conn) => {
      p.lent.delete(conn);
      if (!p.pool.release(conn)) {
        throw new Error(`poolcheck tarn adapter: tarn refused to release connection #${conn.id}: it is not among the pool's used resources`);
      }
    },
    query: (_p, conn, sql) => conn.query(sql),
    connectionId: (conn) => conn.id,
    // Open connections, free and used (a resource in validation is already in `used`), and the
    // creates in flight, which take capacity (`_shouldCreateMoreResources`) as in poolcheck's size.
    counters: (p) => ({ idle: p.pool.numFree(), size: p.pool.numFree() + p.pool.numUsed() + p.pool.numPendingCreates(), waiting: p.pool.numPendingAcquires() }),
    close: async (p) => {
      await p.pool.destroy();
    },
    terminate: async (p) => {
      const destroyed = p.pool.destroy();
      // Released into a destroyed pool, a resource is only moved to the free list
      // (`_tryAcquireOrCreate` returns at once), where `destroy()` closes it with the rest.
      for (const conn of p.lent) p.pool.release(conn);
      p.lent.clear();
      await destroyed;
    },
  };
}
