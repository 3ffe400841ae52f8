import type { Connection } from '../connectors/types.js';
import type { Semantics } from '../model/semantics.js';
import { DefinitionError } from '../runner/violation-error.js';
import { acquireTimeoutOf, LONGEST_TIMER_MS } from './acquire-timeout.js';
import { libraryOptions, poolClassOf, reaperPoolRunOptions } from './library-options.js';
import type { PoolAdapter } from './types.js';

/*
 * Line numbers below refer to node_modules/sequelize-pool/lib/Pool.js, version 8.0.1.
 */

/** sequelize-pool's own default for `reapIntervalMillis` (Pool.js:38). */
export const SEQUELIZE_POOL_REAP_INTERVAL_MS = 1000;

/** sequelize-pool's expiry semantics, each field read from its source. */
export function sequelizePoolSemantics(reapIntervalMillis = SEQUELIZE_POOL_REAP_INTERVAL_MS): Semantics {
  return {
    expiry: {
      kind: 'reaper',
      // One `setTimeout(_removeIdle, reapIntervalMillis)` at a time (Pool.js:103-110).
      intervalMs: reapIntervalMillis,
      // `_scheduleRemoveIdle` is called only when a connection becomes idle (Pool.js:171) and by a
      // run that leaves something idle (Pool.js:95-97); a run that leaves nothing idle ends the
      // chain, and the next idle connection starts a new one, one interval later.
      startsOn: 'while-idle',
      // `timeout = Date.now() + idleTimeoutMillis` on becoming idle (Pool.js:167), destroyed when
      // `now >= timeout` (Pool.js:88): reaching the lifetime is enough.
      compare: '>=',
      // A run destroys every expired connection down to the floor (`maxRemovable`, Pool.js:83-86);
      // there is no fixed per-run cap.
      maxPerRun: null,
    },
    // The idle clock is set in `_addResourceToAvailableObjects` (Pool.js:163-167), reached from
    // release (Pool.js:225) and from a create that no acquire is waiting for (Pool.js:147).
    armsOn: 'release-and-create',
    // `maxRemovable = this.size - this.minSize` (Pool.js:83): a run never takes the pool below min,
    // counting open connections and creates in flight (`size` is `_count`, Pool.js:49-51, raised
    // as a create starts, Pool.js:135); a connection it kept is looked at again on the next run.
    minFloor: 'size',
    // `destroy()` ends with `_ensureMinimum()` (Pool.js:245), which creates `minSize - size`
    // resources (Pool.js:180-188): a discard that leaves the pool below min refills it at once.
    // The reaper destroys through the same `destroy()`, but never below min, so it refills nothing.
    minRefill: ['after-discard'],
    // `destroy()` lowers `_count` at once but calls `_ensureMinimum()` only in the `finally` after
    // `await this._factory.destroy(resource)` (Pool.js:238-245): the refill counts what is open
    // once the close has completed. Against a server that is after a create refused at once in
    // the same `_dispense` (its catch lowers `_count`, Pool.js:150-154), so the refill opens one.
    discardRefill: 'when-closed',
    // Release pushes onto `_availableObjects` (Pool.js:169); `_dispense` takes the last and pops
    // it (Pool.js:120-126).
    reuse: 'lifo',
    // `acquire()` calls `_dispense()` synchronously (Pool.js:200), which pops an idle connection
    // before returning (Pool.js:126): an acquire issued as a blocked loop wakes takes it before
    // the overdue reap runs. Only the promise resolution is deferred, as a microtask.
    handoff: 'microtask',
    // `defaultTo` replaces only null, undefined and NaN (helpers/defaultTo.js), so 0 is kept
    // (Pool.js:36): a released connection's `timeout` is its release time (Pool.js:167), so every
    // idle connection is due at once and goes at the reaper's next run.
    zeroLifetime: 'due-at-once',
    // The constructor opens nothing (Pool.js:8-48); `_ensureMinimum` runs only after a destroy.
    minOpens: 'never',
    // `drain()` keeps every idle connection until the last borrowed one is back
    // (`available !== _count`, Pool.js:264), then `destroyAllNow()` closes them together.
    gracefulClose: 'after-last-release',
    capabilities: {
      // `acquire()` pushes a `Deferred` (Pool.js:199) and `_dispense` resolves the first
      // (`shift`, Pool.js:128). `release()` makes the resource available and dispenses in the same
      // call (Pool.js:225, 169-170), which hands it to the first waiter (Pool.js:118-129). After a
      // `destroy()` (Pool.js:247-249) or a failed create (Pool.js:158-160), the `_dispense` on the
      // next tick creates a resource for the first waiter (Pool.js:131-133).
      waiters: true,
      // `acquireTimeoutMillis`, always on: `defaultTo(factory.acquireTimeoutMillis, 30000)`
      // (Pool.js:37), and every acquire arms it when called (Pool.js:196-198, Deferred.js
      // `registerTimeout`), rejecting with a `TimeoutError`, "Pool acquire operation timeout"
      // (Pool.js:194), after taking the waiter out of the queue. The adapter always passes one (see
      // `create`), so the 30 s default never applies.
      acquireTimeout: 'required',
      // The timer runs from the `acquire()` call (Pool.js:196-198), a create included; the create
      // goes on, and its resource goes to the first pending acquire or is made available
      // (Pool.js:140-148).
      acquireTimeoutCovers: 'wait-and-connect',
      lateConnect: 'kept',
      // `destroy(resource)` takes the connection out of use, lowers the count, closes it
      // (Pool.js:228-243), refills the min (`minRefill: ['after-discard']`, Pool.js:245) and
      // dispenses to a waiter on the next tick (Pool.js:246-250).
      destroy: true,
      // A failed create rejects whichever `Deferred` heads `_pendingAcquires` as the failure is seen
      // (`shift`, Pool.js:150-157), whoever started it, lowers the count, and dispenses on the next
      // tick (Pool.js:158-160), which creates one more resource if someone still waits. With
      // `connectServes: 'queue-head'` that is what `failedConnect: true` says. Against a real
      // server a create of the same stretch has not landed by that tick, so its acquire still
      // waits and that dispense starts a second create, which lands idle: the model's
      // `queueConnects: 'one-per-dispense'` look counts such a head as still queued.
      failedConnect: true,
      // A create takes as long as its connect: `_createResource` raises `_count` before calling
      // `factory.create()` (Pool.js:135-139), so `size` counts it; the acquire stays in
      // `_pendingAcquires` (`waiting`) and its timer runs on (Pool.js:196-199).
      slowConnect: true,
      // A create belongs to no acquire: as it lands it resolves whichever `Deferred` heads
      // `_pendingAcquires` (`shift`, Pool.js:141-145), else the resource is made available
      // (Pool.js:147); a refill's from `_ensureMinimum` (Pool.js:180-188) alike.
      connectServes: 'queue-head',
      // `_dispense` creates one resource whenever someone waits, nothing is available and
      // `size < maxSize` (Pool.js:111-133), however many creates are in flight: once per
      // `acquire()` (Pool.js:200) and once on the tick after a `destroy()` (Pool.js:246-250).
      queueConnects: 'one-per-dispense',
      // sequelize-pool never listens to its resources (`_createResource` keeps what `create`
      // gave, Pool.js:134-160): a connection the server ended stays in `_availableObjects`,
      // counted, until `_removeIdle` destroys it as any idle one (Pool.js:78-101) or `_dispense`
      // hands it out; there `validate` checks it first (Pool.js:118-126), and one that fails is
      // destroyed and the next tried, as a failed validation does.
      brokenIdle: 'unnoticed',
      // Off: `drain()` rejects new acquires (Pool.js:190-192) but serves the queued ones: while any
      // waits it dispenses and polls every 100 ms (Pool.js:256-262). Nothing rejects them.
      closeRejectsWaiters: false,
      // A create in flight at the close lands as on an open pool: `_createResource` hands it to
      // the head of `_pendingAcquires`, empty when close is drawn, else makes it available
      // (Pool.js:140-148); `drain()` waits for it (`_count` counts it, Pool.js:264) and
      // `destroyAllNow()` closes it with the idle ones (Pool.js:274-292).
      closeDuringConnect: 'lands-idle',
      // The adapter's terminate is `drain()` then `destroyAllNow()` too, once the borrowed ones are
      // destroyed: a create in flight lands available (nobody waits: terminate, like close, is
      // drawn so; Pool.js:140-148), `drain()` waits for it (Pool.js:264) and `destroyAllNow()`
      // closes it with the idle ones (Pool.js:278-292) before terminate resolves.
      terminateDuringConnect: 'lands-idle',
      // Off: `acquire()` returns the promise of a `Deferred` (Pool.js:189-202) that only its timeout
      // or a `drain`/`destroyAllNow` settles; nothing takes it out of `_pendingAcquires`.
      abort: null,
    },
    // sequelize-pool requires `validate` (Pool.js:16-17) and calls it synchronously on each idle
    // resource in `_dispense` (Pool.js:111-127); the adapter's returns true, so no check fails.
    validation: 'none',
  };
}

/**
 * What the adapter drives of a sequelize-pool. Declared here, not imported from sequelize-pool, so
 * that poolcheck's types hold for a user who has not installed it.
 */
export interface SequelizePoolInstance {
  acquire(): Promise<Connection>;
  release(conn: Connection): void;
  destroy(conn: Connection): Promise<void>;
  drain(): Promise<void>;
  destroyAllNow(): Promise<void>;
  /** Counts a create still in flight, unlike `available + using`. */
  readonly size: number;
  readonly available: number;
  readonly using: number;
  readonly waiting: number;
}

/** A sequelize-pool and the connections this adapter lent out of it. */
export interface SequelizePoolHandle {
  readonly pool: SequelizePoolInstance;
  /**
   * Connections acquired and not yet released. sequelize-pool keeps them in a protected
   * `_inUseObjects`; terminate needs them, and close waits until none is left.
   */
  readonly borrowed: Set<Connection>;
  /** Set while a close waits for the last borrowed connection to come back. */
  allReturned: (() => void) | null;
  /** Creates in flight, which a close waits for as drain() would (see the adapter's close). */
  readonly creating: Set<Promise<unknown>>;
}

/** sequelize-pool's `Pool` class, as `import { Pool } from 'sequelize-pool'` gives it. */
export type SequelizePoolClass = new (options: never) => unknown;

export interface SequelizePoolAdapterOptions {
  /** sequelize-pool's `Pool` class, the one you run: `import { Pool } from 'sequelize-pool'`. */
  readonly Pool: SequelizePoolClass;
  /**
   * Your own sequelize-pool options (`maxUses`, `log`, ...), passed to every pool; `validate` is
   * refused (see `validation` below).
   * `create`, `destroy`, the sizes, `idleTimeoutMillis` and `acquireTimeoutMillis` come from the
   * run; `reapIntervalMillis` is this adapter's own, since the declared reaper follows it.
   */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly name?: string;
  /** Overrides the declared semantics, to show that a wrong declaration fails. */
  readonly semantics?: Semantics;
  /** How often the reaper runs. Default 1000 ms, sequelize-pool's own default. */
  readonly reapIntervalMillis?: number;
  /**
   * Gives sequelize-pool a `validate` that asks the connection (`isValid()`, so the connector's
   * faults can fail it), declared as sequelize-pool then checks: synchronously, an idle resource
   * and one released to a waiter, not a new one. Default false: a `validate` that returns true.
   */
  readonly validation?: boolean;
}

/**
 * sequelize-pool with a `validate` that can fail: `_dispense` calls it synchronously on the
 * available resource it is about to hand out (Pool.js:118-126), destroying one that fails and
 * trying the next, else creating one (Pool.js:131-133). `release()` makes a resource available
 * and dispenses (Pool.js:225), so one released to a waiter is checked too; a new resource goes
 * straight to the first pending acquire (`_createResource`, Pool.js:140-144), unchecked.
 */
function withValidation(semantics: Semantics, on: boolean): Semantics {
  if (!on) return semantics;
  return { ...semantics, validation: { check: 'sync', alsoChecks: ['released'] }, capabilities: { ...semantics.capabilities, failedValidation: true } };
}

/**
 * sequelize-pool 8 (a periodic reaper) over poolcheck's connector.
 *
 * @example
 * import { Pool } from 'sequelize-pool';
 * const result = await check({ adapter: sequelizePoolAdapter({ Pool, reapIntervalMillis: 500 }) });
 */
export function sequelizePoolAdapter(options: SequelizePoolAdapterOptions): PoolAdapter<SequelizePoolHandle, Connection> {
  const SequelizePoolOf = poolClassOf<SequelizePoolInstance>('sequelize-pool', options, "import { Pool } from 'sequelize-pool'; sequelizePoolAdapter({ Pool })");
  const own = libraryOptions('sequelize-pool', options.options, reaperPoolRunOptions('sequelizePoolAdapter'));
  if (own['validate'] !== undefined) {
    throw new DefinitionError("poolcheck sequelize-pool adapter: options.validate would fail as your function decides, which no declaration can follow; leave it out, and pass sequelizePoolAdapter({ validation: true }) for a validate that asks the connection, which poolcheck's faults fail");
  }
  const validation = options.validation === true;
  const reapIntervalMillis = options.reapIntervalMillis ?? SEQUELIZE_POOL_REAP_INTERVAL_MS;
  if (!Number.isSafeInteger(reapIntervalMillis) || reapIntervalMillis < 1) {
    throw new DefinitionError(`poolcheck sequelize-pool adapter: reapIntervalMillis must be a whole number of ms >= 1, got ${String(reapIntervalMillis)}`);
  }
  return {
    name: options.name ?? 'sequelize-pool',
    semantics: options.semantics ?? withValidation(sequelizePoolSemantics(reapIntervalMillis), validation),
    create: async ({ config, connector }) => {
      const creating = new Set<Promise<unknown>>();
      const pool = new SequelizePoolOf({
        name: 'poolcheck',
        validate: validation ? (conn: Connection) => conn.isValid() : () => true,
        ...own,
        create: () => {
          const connect = connector.connect();
          const landed: Promise<unknown> = connect.then(
            (): boolean => creating.delete(landed),
            (): boolean => creating.delete(landed),
          );
          creating.add(landed);
          return connect;
        },
        destroy: (conn: Connection) => conn.close(),
        min: config.minSize,
        max: config.maxSize,
        idleTimeoutMillis: config.lifetimeMs,
        reapIntervalMillis,
        // sequelize-pool arms an acquire timeout for every acquire (Pool.js:196, default 30 s). A
        // run without one gets the longest delay a timer can express instead, never the default.
        acquireTimeoutMillis: acquireTimeoutOf(config, 'sequelize-pool', 'acquireTimeoutMillis') ?? LONGEST_TIMER_MS,
      });
      return { pool, borrowed: new Set<Connection>(), allReturned: null, creating };
    },
    acquire: async (h) => {
      const conn = await h.pool.acquire();
      h.borrowed.add(conn);
      return conn;
    },
    release: (h, conn) => {
      h.pool.release(conn);
      h.borrowed.delete(conn);
      if (h.borrowed.size === 0) h.allReturned?.();
    },
    destroy: async (h, conn) => {
      h.borrowed.delete(conn);
      await h.pool.destroy(conn);
      if (h.borrowed.size === 0) h.allReturned?.();
    },
    query: (_h, conn, sql) => conn.query(sql),
    connectionId: (conn) => conn.id,
    counters: (h) => ({
      idle: h.pool.available,
      // `size` is `_count`: connections open and creates in flight (`_count += 1` before
      // `create()`, Pool.js:136; lowered by `destroy()` and a failed create, Pool.js:152, 238), as
      // poolcheck's size counts them.
      size: h.pool.size,
      waiting: h.pool.waiting,
    }),
    close: async (h) => {
      // sequelize-pool's graceful close is `drain().then(() => destroyAllNow())`. drain() waits
      // for borrowed connections, but by polling every 100 ms (Pool.js:264-268), so it resolves
      // up to 100 ms after the last release and needs time to pass, while poolcheck settles a
      // close without moving time (and would find the poll timer left pending). So the adapter waits for
      // the last release itself; drain() then finds nothing borrowed and resolves at once,
      // leaving no poll timer behind.
      if (h.borrowed.size > 0) await new Promise<void>((resolve) => (h.allReturned = resolve));
      h.allReturned = null;
      // drain() also polls until every create in flight has landed (`available !== _count`,
      // Pool.js:264): the adapter waits for them itself, for the same reason.
      while (h.creating.size > 0) await Promise.all(h.creating);
      await h.pool.drain();
      // Clears the reap timer, then destroys every idle connection (Pool.js:274-292).
      await h.pool.destroyAllNow();
    },
    terminate: async (h) => {
      // drain() polls every 100 ms until every create in flight has landed (Pool.js:264): the
      // adapter waits for them itself first, as its close does, so that nothing needs time to
      // pass. Meanwhile the borrowed ones are released, available (Pool.js:203-226; nobody
      // waits, terminate is drawn so), and destroyAllNow() closes them with the idle ones; the
      // reaper may take some first, but only above min (Pool.js:`_removeIdle`), so none refills.
      if (h.creating.size > 0) {
        for (const conn of h.borrowed) h.pool.release(conn);
        h.borrowed.clear();
        h.allReturned?.();
      }
      while (h.creating.size > 0) await Promise.all(h.creating);
      // destroyAllNow() destroys only idle connections, and without drain() each destroy would
      // refill to min (`_ensureMinimum`, Pool.js:245). So: destroy the borrowed ones through the
      // public destroy(), which takes them out of use and lowers the count synchronously; then
      // drain(), which with nothing borrowed resolves at once and stops refills and hand-offs;
      // then destroyAllNow() for the idle ones and the reap timer.
      const closing = [...h.borrowed].map((conn) => h.pool.destroy(conn));
      h.borrowed.clear();
      h.allReturned?.();
      await h.pool.drain();
      await h.pool.destroyAllNow();
      await Promise.all(closing);
    },
  };
}
