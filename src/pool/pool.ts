import type { Connection } from '../connectors/types.js';
import { PoolAbortedError, PoolClosedError, PoolTimeoutError, PoolUsageError } from './errors.js';
import { milliseconds, resolvePoolOptions, type PoolMinRefill, type PoolOptions, type ResolvedPoolOptions } from './options.js';
import { Slot } from './slot.js';
import { Waiter } from './waiter.js';

export interface AcquireOptions {
  /** Overrides the pool's `acquireTimeoutMs` for this call. */
  timeoutMs?: number;
  /**
   * Aborts the acquire while it is pending: waiting for a slot, connecting or validating. It then
   * rejects with a {@link PoolAbortedError} at once; a connect or validation in flight goes on,
   * and its connection goes to the next waiter, or back to the free stack (see
   * `closeAbortedConnects`).
   */
  signal?: AbortSignal;
}

/** An acquire's one deadline over its wait and its connect (`acquireTimeoutCoversConnect`). */
interface Deadline {
  readonly at: number;
  readonly timeoutMs: number;
  /** What the deadline does when it comes: rejects the waiter, or abandons the connect. */
  fire: () => void;
  stop: () => void;
}

/**
 * What an acquire's readying is doing, for its deadline: the slot it works on, whether a check is
 * in flight, and whether it gave up (aborted, or timed out), abandoned its connect, or had its
 * connection closed under check.
 */
interface Progress<C extends Connection> {
  aborted: boolean;
  abandoned: boolean;
  dropped: boolean;
  current: Slot<C>;
  checking: boolean;
}

type PoolState = 'new' | 'starting' | 'open' | 'closing' | 'closed' | 'terminated';

/**
 * poolcheck's own pool, with asyncpg's semantics: `maxSize` fixed slots, a LIFO stack of free
 * slots, and one expiry timer per slot that closes a connection idle for
 * `maxInactiveConnectionLifetimeMs`. An expired slot stays where it is in the stack and reconnects
 * lazily on its next acquire.
 *
 * Timers are the global `setTimeout`/`clearTimeout` looked up at call time, so a fake clock
 * installed after import controls every timer of the pool.
 *
 * @example
 * const pool = await createPool({ connect: () => connector.connect(), maxSize: 2 });
 * const conn = await pool.acquire();
 * await conn.query('SELECT 1');
 * pool.release(conn);
 * await pool.close();
 */
export class Pool<C extends Connection = Connection> {
  protected readonly options: ResolvedPoolOptions<C>;
  /** Every slot, by index. @internal seam for fixtures/mutants */
  protected readonly slots: readonly Slot<C>[];
  /** Free slots; the top (end) is taken first. */
  private readonly free: Slot<C>[];
  /** Acquires queued for a free slot, first come first served. @internal seam for fixtures/mutants */
  protected readonly waiters: Waiter<C>[] = [];
  /** Connections currently handed out, with the slot each belongs to. */
  private readonly lent = new Map<C, Slot<C>>();
  /** Everything ever handed out, to tell a double release from a foreign one. */
  private readonly everLent = new WeakSet<C>();
  /** Connections the server ended; one in use is discarded when it comes back. */
  private readonly broken = new WeakSet<C>();
  /** Slots handed to a waiter with a connection just opened (an aborted acquire's, a refill's), which `validateHandoffs` leaves unchecked. */
  private readonly freshHandoffs = new WeakSet<Slot<C>>();
  /** Connection closes still settling; close() resolves only after them. */
  private readonly closings = new Set<Promise<void>>();
  private state: PoolState = 'new';
  private closed: Promise<void> | null = null;
  private finishClose: (() => void) | null = null;
  /** Rejects an acquire whose connection is opening, for close() with `closeRejectsConnects`. */
  private readonly connectsToReject = new Set<() => void>();
  /** close()'s timer for the idle connections, with `closeIdleAfterMs`. */
  private closeTimer: ReturnType<typeof setTimeout> | null = null;
  /** The loop that rejects waiters whose timeout has come, with `acquireTimeoutPollMs`. */
  private pollTimer: ReturnType<typeof setInterval> | null = null;
  /**
   * Connects in flight whose acquire's deadline the poll loop watches, with
   * `acquireTimeoutCoversConnect` and `acquireTimeoutPollMs`: each gives up on its connect.
   */
  private readonly connectWatches = new Set<{ readonly deadline: number; readonly giveUp: () => void }>();
  /** Whether an acquire has taken a slot yet: `minOpens: 'first-acquire'` opens min then. */
  private acquiredOnce = false;
  /** A refill is queued for the end of the current synchronous stretch. */
  private refillQueued = false;
  /** Slots connecting for a refill: not idle yet, but owed to the floor. */
  private refilling = 0;
  /** The close begun last, which a discard's refill awaits with `refillWhenClosed`. */
  private lastClose: Promise<void> | null = null;

  /** Validates the options. Call {@link Pool.start} (or use {@link createPool}) before acquiring. */
  constructor(options: PoolOptions<C>) {
    this.options = resolvePoolOptions(options);
    this.slots = Array.from({ length: this.options.maxSize }, (_, index) => new Slot<C>(index));
    // As in asyncpg, slots are pushed in index order, so the last ones are on top of the stack:
    // those get the initial connections and are the first to be acquired.
    this.free = [...this.slots];
  }

  /** Opens `minSize` connections in parallel, each with its expiry armed at creation. */
  async start(): Promise<this> {
    if (this.state !== 'new') {
      throw this.state === 'starting' || this.state === 'open'
        ? new PoolUsageError('start() called twice; createPool() already starts the pool')
        : new PoolClosedError('start() called after close() or terminate(); create a new pool instead');
    }
    this.state = 'starting';
    const opening = this.options.minOpens === 'on-create' ? this.options.minSize : 0;
    const initial = this.free.slice(this.free.length - opening).reverse();
    const results = await Promise.allSettled(
      initial.map(async (slot) => {
        await this.openConnection(slot);
        this.armExpiry(slot);
      }),
    );
    if (this.state !== 'starting') {
      this.settleClose();
      throw new PoolClosedError(
        'the pool was closed or terminated before it finished starting; await createPool() before closing it',
      );
    }
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      // A half-opened pool is of no use; close what did open so nothing leaks.
      this.terminate();
      throw failed.reason;
    }
    this.state = 'open';
    return this;
  }

  /**
   * Takes the top free slot, or waits in FIFO order for one. The slot is taken and its expiry
   * cancelled synchronously, inside this call (after a `setImmediate` or a `setTimeout(0)` with
   * the `handoff` option); a slot without an open connection connects first.
   */
  async acquire(options: AcquireOptions = {}): Promise<C> {
    this.assertCanAcquire();
    const timeoutMs =
      options.timeoutMs === undefined
        ? this.options.acquireTimeoutMs
        : milliseconds('acquire(): timeoutMs', options.timeoutMs, '(omit it to use acquireTimeoutMs)', PoolUsageError);
    const { signal } = options;
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) throw new PoolAbortedError();
    const deadline = timeoutMs !== undefined && this.options.acquireTimeoutCoversConnect ? this.acquireDeadline(timeoutMs) : null;
    let slot: Slot<C> | undefined;
    let fromIdle: boolean;
    try {
      if (this.options.handoff !== 'microtask') {
        await deferred(this.options.handoff);
        // The pool may have closed, or the caller aborted, while the call waited for its turn.
        this.assertCanAcquire();
        if (aborted()) throw new PoolAbortedError();
      }
      slot = this.free.pop();
      if (slot === undefined) {
        const polled = this.options.acquireTimeoutPollMs > 0;
        // With a deadline over the wait and the connect, its one timer rejects the waiter.
        const waiter = new Waiter<C>(timeoutMs, (timedOut) => this.waiterTimedOut(timedOut, timeoutMs ?? 0), polled || deadline !== null);
        this.waiters.push(waiter);
        if (deadline !== null) {
          deadline.fire = () => {
            if (this.waiters.includes(waiter)) waiter.fail(this.waiterTimedOut(waiter, deadline.timeoutMs));
          };
        }
        if (polled && timeoutMs !== undefined) this.startPolling();
        const onAbort = (): void => {
          if (this.waiters.includes(waiter)) waiter.fail(this.waiterAborted(waiter));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        try {
          slot = await waiter.promise;
        } finally {
          signal?.removeEventListener('abort', onAbort);
        }
        // An open connection handed straight over is checked as one taken from idle is, where the
        // pool checks hand-offs too; an empty slot connects instead.
        fromIdle = this.options.validateHandoffs && !this.freshHandoffs.delete(slot) && slot.isOpen;
      } else {
        this.take(slot);
        fromIdle = slot.isOpen;
      }
    } catch (error) {
      deadline?.stop();
      throw error;
    }
    const ready = this.checkout(slot, fromIdle, signal, deadline);
    if (deadline !== null) ready.then(deadline.stop, deadline.stop);
    this.acquireTook();
    return ready;
  }

  /**
   * With `acquireTimeoutCoversConnect`, one deadline from the acquire's call over its wait and its
   * connect: a timer set now (or the poll loop's look at the connect), whose `fire` the acquire
   * points at what it is waiting for.
   */
  private acquireDeadline(timeoutMs: number): Deadline {
    const deadline: Deadline = { at: Date.now() + timeoutMs, timeoutMs, fire: () => undefined, stop: () => undefined };
    if (this.options.acquireTimeoutPollMs === 0) {
      const timer = setTimeout(() => deadline.fire(), timeoutMs);
      deadline.stop = () => clearTimeout(timer);
    }
    return deadline;
  }

  /**
   * An acquire took a slot (its connect, if any, has started): the first one opens the rest of
   * min where the pool does that then, and each one refills where the pool refills at acquires.
   */
  private acquireTook(): void {
    const first = !this.acquiredOnce;
    this.acquiredOnce = true;
    if ((first && this.options.minOpens === 'first-acquire') || this.refillsOn('at-acquire')) this.queueRefill();
  }

  /** Whether the pool opens connections back up to min after `event`. @internal seam for fixtures/mutants */
  protected refillsOn(event: PoolMinRefill): boolean {
    return this.options.minRefill.includes(event);
  }

  /**
   * Opens connections back up to min once the current synchronous stretch is over, so that a
   * burst of acquires is counted whole. A plain promise, not `queueMicrotask`, which a fake clock
   * may take over. @internal seam for fixtures/mutants
   */
  protected queueRefill(): void {
    if (this.refillQueued) return;
    this.refillQueued = true;
    void Promise.resolve().then(() => {
      this.refillQueued = false;
      this.openToMin();
    });
  }

  /**
   * A connection was discarded, broken or failed its check: with `refillWhenClosed`, the refill
   * is decided once the close the discard began has completed (the close just begun, if any;
   * else at once), otherwise now. @internal seam for fixtures/mutants
   */
  protected refillAfterDiscard(): void {
    const closing = this.lastClose;
    this.lastClose = null;
    if (this.options.refillWhenClosed && closing !== null) void closing.then(() => this.queueRefill());
    else this.queueRefill();
  }

  /** What a refill counts toward min: idle connections for an idle floor, else open ones (with connects in flight). */
  private refillCount(): number {
    const idleFloor = this.options.expiryRespectsMinSize && this.options.minFloorCounts === 'idle';
    return idleFloor ? this.getIdleSize() + this.refilling : this.getSize();
  }

  /**
   * Opens connections into empty free slots until the floor's count reaches min, never beyond
   * max. @internal seam for fixtures/mutants
   */
  protected openToMin(): void {
    if (this.state !== 'open') return;
    for (let short = this.refillShortfall(); short > 0 && this.getSize() < this.options.maxSize; short--) {
      const slot = this.free.find((s) => !s.isOpen && !s.connecting);
      if (slot === undefined) return;
      this.free.splice(this.free.indexOf(slot), 1);
      void this.refillSlot(slot);
    }
  }

  /** How many connections short of min the pool is. @internal seam for fixtures/mutants */
  protected refillShortfall(): number {
    return this.options.minSize - this.refillCount();
  }

  /**
   * Connects an empty slot taken off the free stack for a refill. The connection then comes back
   * as a release does: to the first waiter, or idle on top of the stack with its expiry armed. A
   * waiter gets it unchecked, as an acquire gets the connection opened for it: it was just opened.
   */
  private async refillSlot(slot: Slot<C>): Promise<void> {
    slot.connecting = true;
    this.refilling++;
    let conn: C;
    try {
      conn = await this.options.connect();
    } catch {
      slot.connecting = false;
      this.refilling--;
      this.onRefillFailed(slot);
      return;
    }
    slot.connecting = false;
    this.refilling--;
    slot.conn = conn;
    slot.createdAt = Date.now();
    slot.releasedAt = null;
    this.listenForBreak(slot, conn);
    if (this.state === 'terminated') {
      this.dropConnection(slot);
      return;
    }
    this.giveBack(slot, true);
  }

  /** Gives a connection back: to the first waiter if there is one, else onto the free stack with its expiry armed. */
  release(conn: C): void {
    const slot = this.takeBack(conn, 'release()');
    const lost = slot.conn !== conn || conn.closed || this.broken.has(conn);
    if (slot.conn !== conn || conn.closed) {
      // Closed while in use: the slot reconnects on its next acquire.
      slot.conn = null;
    } else if (this.broken.has(conn)) {
      this.dropConnection(slot);
    }
    this.giveBack(slot);
    if (lost && this.refillsOn('after-discard')) this.refillAfterDiscard();
  }

  /**
   * Discards a connection instead of returning it (after an error on it, say): closes it now, and
   * its capacity goes to the first waiter, or back onto the free stack, where it reconnects when
   * next acquired.
   */
  destroy(conn: C): void {
    this.onDestroy(this.takeBack(conn, 'destroy()'), conn);
    if (this.refillsOn('after-discard')) this.refillAfterDiscard();
  }

  /** Open connections, idle or in use, plus connects in flight (they already occupy capacity). */
  getSize(): number {
    // Counted in a loop, not a filtered copy: a harness asks after every step it checks.
    let size = 0;
    for (const slot of this.slots) if (slot.isOpen || slot.connecting) size++;
    return size;
  }

  /** Open connections that are not in use. */
  getIdleSize(): number {
    let idle = 0;
    for (const slot of this.slots) if (this.isIdle(slot)) idle++;
    return idle;
  }

  /** Acquires queued for a free slot. */
  getWaitingCount(): number {
    return this.waiters.length;
  }

  /**
   * Graceful close: rejects queued acquires and new ones, cancels every expiry, closes idle
   * connections at once (or `closeIdleAfterMs` later, from a timer) and in-use ones as they are
   * released, then resolves. Acquires that
   * already hold a slot (even one still connecting) complete, and close waits for their release.
   * Calling it again returns the same promise; after terminate() it resolves at once.
   */
  close(): Promise<void> {
    if (this.closed !== null) return this.closed;
    if (this.state === 'terminated') {
      this.closed = Promise.resolve();
      return this.closed;
    }
    this.state = 'closing';
    this.closed = new Promise<void>((resolve) => {
      this.finishClose = resolve;
    });
    this.rejectWaiters('close()');
    this.rejectConnects();
    // A connect whose deadline the loop watches may still be abandoned while the pool closes.
    if (this.connectWatches.size === 0) this.stopPolling();
    this.free.length = 0;
    for (const slot of this.slots) this.onShutdown(slot);
    const after = this.closeIdleDelayMs();
    if (after === 0) this.dropIdle();
    else {
      this.closeTimer = setTimeout(() => {
        this.closeTimer = null;
        this.dropIdle();
        this.settleClose();
      }, after);
    }
    this.settleClose();
    return this.closed;
  }

  /**
   * Immediate close: rejects queued acquires, cancels every expiry and closes every connection,
   * idle or in use. A connect still in flight is closed when it lands, and its acquire rejected
   * then (at once, with `closeRejectsConnects`). Later acquire() rejects
   * and release() throws. Calling it again does nothing.
   */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = null;
    this.rejectWaiters('terminate()');
    this.rejectConnects();
    if (this.connectWatches.size === 0) this.stopPolling();
    this.free.length = 0;
    this.lent.clear();
    for (const slot of this.slots) {
      this.onShutdown(slot);
      this.dropConnection(slot);
      slot.inUse = false;
    }
    this.resolveClose();
  }

  /** How long close() leaves idle connections open. @internal seam for fixtures/mutants */
  protected closeIdleDelayMs(): number {
    return this.options.closeIdleAfterMs;
  }

  /** Closes every connection not in use, for close(). */
  private dropIdle(): void {
    for (const slot of this.slots) if (!slot.inUse) this.dropConnection(slot);
  }

  /** How long a released slot stays idle before expiry. @internal seam for fixtures/mutants */
  protected expiryDelayMs(_slot: Slot<C>): number {
    return this.options.maxInactiveConnectionLifetimeMs;
  }

  /** Starts (or restarts) the slot's expiry timer. @internal seam for fixtures/mutants */
  protected armExpiry(slot: Slot<C>): void {
    if (this.options.maxInactiveConnectionLifetimeMs === 0) return;
    this.cancelExpiry(slot);
    slot.timer = setTimeout(() => this.expire(slot), Math.max(0, this.expiryDelayMs(slot)));
  }

  /** @internal seam for fixtures/mutants */
  protected cancelExpiry(slot: Slot<C>): void {
    if (slot.timer !== null) {
      clearTimeout(slot.timer);
      slot.timer = null;
    }
  }

  /** Runs synchronously when a slot is handed to an acquire. @internal seam for fixtures/mutants */
  protected onAcquire(slot: Slot<C>): void {
    this.cancelExpiry(slot);
  }

  /** Runs when a released slot with an open connection goes back onto the free stack. @internal seam for fixtures/mutants */
  protected onRelease(slot: Slot<C>): void {
    this.armExpiry(slot);
  }

  /** Closes a discarded connection and frees its slot. @internal seam for fixtures/mutants */
  protected onDestroy(slot: Slot<C>, conn: C): void {
    this.cancelExpiry(slot);
    if (slot.conn === conn) this.dropConnection(slot);
    else slot.conn = null;
    this.giveBack(slot);
  }

  /** A waiter's timeout fired: it leaves the queue, and gets this error. @internal seam for fixtures/mutants */
  protected waiterTimedOut(waiter: Waiter<C>, timeoutMs: number): Error {
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    return new PoolTimeoutError(timeoutMs, this.options.maxSize);
  }

  /** Starts the poll loop, if it is not running. */
  private startPolling(): void {
    if (this.pollTimer !== null || this.state === 'closed') return;
    this.pollTimer = setInterval(() => this.pollTimeouts(), this.options.acquireTimeoutPollMs);
  }

  /** Stops the poll loop. @internal seam for fixtures/mutants */
  protected stopPolling(): void {
    if (this.pollTimer === null) return;
    clearInterval(this.pollTimer);
    this.pollTimer = null;
  }

  /**
   * One run of the poll loop: rejects every waiter whose timeout has come, and stops the loop
   * once no waiter has a timeout left to watch.
   */
  private pollTimeouts(): void {
    const now = Date.now();
    for (const waiter of [...this.waiters]) {
      if (waiter.deadline !== null && this.pollFindsDue(waiter, now)) waiter.fail(this.waiterTimedOut(waiter, waiter.timeoutMs ?? 0));
    }
    for (const watch of [...this.connectWatches]) {
      if (this.pollFindsConnectDue(watch.deadline, now)) {
        this.connectWatches.delete(watch);
        watch.giveUp();
      }
    }
    this.stopPollingIfNothingWatched();
  }

  private stopPollingIfNothingWatched(): void {
    if (this.connectWatches.size === 0 && !this.waiters.some((w) => w.deadline !== null)) this.stopPolling();
  }

  /** Whether a poll at `now` finds a connect's deadline come. @internal seam for fixtures/mutants */
  protected pollFindsConnectDue(deadline: number, now: number): boolean {
    return now >= deadline;
  }

  /**
   * Has the poll loop call `giveUp` at its first look after the acquire's deadline; returns what
   * stops the watch once the connect has settled.
   */
  private watchConnect(deadline: number, giveUp: () => void): () => void {
    const watch = { deadline, giveUp };
    this.connectWatches.add(watch);
    this.startPolling();
    return () => {
      if (this.connectWatches.delete(watch)) this.stopPollingIfNothingWatched();
    };
  }

  /**
   * The acquire's deadline came with its connect in flight: the slot is free at once (to the next
   * waiter, or back), and the connection, when it lands, is closed (`lateConnectLanded`).
   */
  private connectAbandoned(slot: Slot<C>): void {
    slot.connecting = false;
    this.giveBack(slot);
  }

  /**
   * The acquire's deadline came with its connection under check, where the pool closes such a
   * connection (`closeTimedOutChecks`): it is closed now, and the slot goes on at once, to the next
   * waiter or back, as a discarded one's does.
   */
  private checkAbandoned(slot: Slot<C>): void {
    this.closeTimedOutCheck(slot);
    this.giveBack(slot);
    if (this.refillsOn('after-discard')) this.refillAfterDiscard();
  }

  /** Closes the connection under check at its acquire's deadline. @internal seam for fixtures/mutants */
  protected closeTimedOutCheck(slot: Slot<C>): void {
    this.dropConnection(slot);
  }

  /** Whether the acquire's deadline bounds a check in flight (it does). @internal seam for fixtures/mutants */
  protected deadlineBoundsCheck(): boolean {
    return true;
  }

  /** A connect abandoned at its acquire's deadline landed: nobody wants it. @internal seam for fixtures/mutants */
  protected lateConnectLanded(conn: C): void {
    this.closeConnection(conn);
  }

  /** Whether a poll at `now` finds the waiter's timeout come. @internal seam for fixtures/mutants */
  protected pollFindsDue(waiter: Waiter<C>, now: number): boolean {
    return waiter.deadline !== null && now >= waiter.deadline;
  }

  /**
   * A refill's connect failed. Nobody waits on a refill, but a waiter may have queued while it was
   * in flight: the empty slot goes to it, else back to the bottom of the stack, and no refill
   * follows until the next event that calls for one.
   * @internal seam for fixtures/mutants
   */
  protected onRefillFailed(slot: Slot<C>): void {
    if (this.state === 'open') this.giveBack(slot);
    else this.settleClose();
  }

  /** A connect for an acquire failed: its slot goes to the next waiter, or back. @internal seam for fixtures/mutants */
  protected onConnectFailed(slot: Slot<C>): void {
    this.giveBack(slot);
  }

  /**
   * The server ended the idle connection of a free slot: close it, forget its expiry, and move the
   * empty slot to the bottom of the stack. @internal seam for fixtures/mutants
   */
  protected onBrokenIdle(slot: Slot<C>): void {
    this.cancelExpiry(slot);
    this.dropConnection(slot);
    this.free.splice(this.free.indexOf(slot), 1);
    this.free.unshift(slot);
  }

  /** Runs for every slot on close() and terminate(). @internal seam for fixtures/mutants */
  protected onShutdown(slot: Slot<C>): void {
    this.cancelExpiry(slot);
  }

  /** A graceful close has finished: nothing in use, every connection closed. @internal seam for fixtures/mutants */
  protected onClosed(): void {
    // Nothing to do: close() rejected the waiters when it was called.
  }

  /** @internal seam for fixtures/mutants */
  protected isIdle(slot: Slot<C>): boolean {
    return slot.isOpen && !slot.inUse;
  }

  /**
   * The expiry timer fired. The slot keeps its place in the free stack, now empty. A timer firing
   * on a slot in use is a pool bug; closing the connection anyway makes that bug visible.
   * @internal seam for fixtures/mutants
   */
  protected expire(slot: Slot<C>): void {
    slot.timer = null;
    if (!slot.isOpen) {
      slot.conn = null;
      return;
    }
    if (this.options.expiryRespectsMinSize && this.floorCount() <= this.options.minSize) return;
    this.dropConnection(slot);
    if (this.options.minFloorCounts === 'idle') {
      // An idle floor can keep an older connection below this slot in the stack; the empty slot
      // goes to the bottom, so that connection is reused before a slot reconnects.
      const at = this.free.indexOf(slot);
      if (at >= 0) this.free.unshift(...this.free.splice(at, 1));
    }
    if (this.refillsOn('after-expiry')) this.queueRefill();
  }

  /** What the min floor counts: open connections, or idle ones only. @internal seam for fixtures/mutants */
  protected floorCount(): number {
    return this.options.minFloorCounts === 'idle' ? this.getIdleSize() : this.getSize();
  }

  /** The slot of a connection coming back from its caller, which must have it from this pool. */
  private takeBack(conn: C, call: string): Slot<C> {
    if (this.state === 'terminated') {
      throw new PoolUsageError(`${call} of ${describe(conn)} after terminate(); terminate() already closed it, so drop it instead`);
    }
    const slot = this.lent.get(conn);
    if (slot === undefined) {
      if (this.state === 'closed') {
        throw new PoolUsageError(`${call} of ${describe(conn)} after close() completed; give connections back before close()`);
      }
      if (this.everLent.has(conn)) {
        throw new PoolUsageError(`${call} of ${describe(conn)}, which was already given back; release or destroy each acquired connection exactly once`);
      }
      throw new PoolUsageError(`${call} of ${describe(conn)}, which this pool never handed out; give a connection back to the pool that acquired it`);
    }
    this.lent.delete(conn);
    return slot;
  }

  private assertCanAcquire(): void {
    switch (this.state) {
      case 'open':
        return;
      case 'new':
      case 'starting':
        throw new PoolUsageError(
          'acquire() before the pool finished starting; await createPool(options) (or pool.start()) first',
        );
      case 'closing':
      case 'closed':
        throw new PoolClosedError('acquire() called while the pool is closing or closed; acquire before close()');
      case 'terminated':
        throw new PoolClosedError('acquire() called after terminate(); acquire before terminate()');
    }
  }

  private take(slot: Slot<C>): void {
    slot.inUse = true;
    this.onAcquire(slot);
  }

  /**
   * Readies a taken slot for its caller: validates a connection taken from the free stack,
   * connects an empty slot. With a signal that aborts meanwhile, the caller is rejected at once
   * and the work goes on; what it yields is then given back (see {@link Pool.abandoned}).
   */
  private async checkout(slot: Slot<C>, fromIdle: boolean, signal: AbortSignal | undefined, deadline: Deadline | null): Promise<C> {
    if (this.state === 'terminated') {
      throw new PoolClosedError('acquire() was interrupted by terminate(); acquire before terminate()');
    }
    const state: Progress<C> = { aborted: false, abandoned: false, dropped: false, current: slot, checking: false };
    // With acquireTimeoutCoversConnect, the deadline also bounds the connect of an empty slot, and
    // the check of one taken open (with a connect after a failed one).
    const bounded = deadline !== null && ((!fromIdle && !slot.isOpen) || (fromIdle && this.options.validate !== undefined));
    if (deadline !== null) deadline.fire = () => undefined;
    const unwatch = bounded && this.options.acquireTimeoutPollMs > 0 ? this.watchConnect(deadline.at, () => deadline.fire()) : (): void => undefined;
    const work = this.ready(slot, fromIdle, state);
    // Only a connect is cut short by close(); a check of an idle connection finishes first.
    const closeCuts = this.options.closeRejectsConnects && !fromIdle;
    if (signal === undefined && !closeCuts && !bounded) return this.lend((await work).slot);
    return new Promise<C>((resolve, reject) => {
      const giveUp = (error: Error): void => {
        if (state.aborted) return;
        state.aborted = true;
        reject(error);
        work.then(
          (ready) => this.abandoned(ready.slot, ready.opened),
          () => undefined,
        );
      };
      const onAbort = (): void => giveUp(new PoolAbortedError());
      const onClose = (): void =>
        giveUp(new PoolClosedError('close() was called while this acquire\'s connection was opening; it is closed as it lands (closeRejectsConnects)'));
      if (deadline !== null) deadline.fire = (): void => {
        const current = state.current;
        if (state.aborted || (!state.checking && !current.connecting) || (state.checking && !this.deadlineBoundsCheck())) return;
        giveUp(new PoolTimeoutError(deadline.timeoutMs, this.options.maxSize, state.checking ? 'checking' : true));
        if (!state.checking) {
          state.abandoned = true;
          this.connectAbandoned(current);
        } else if (this.options.closeTimedOutChecks) {
          state.dropped = true;
          this.checkAbandoned(current);
        }
        // Otherwise the check goes on, and what it yields goes on as an aborted acquire's does.
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (closeCuts) this.connectsToReject.add(onClose);
      if (signal?.aborted === true) onAbort();
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.connectsToReject.delete(onClose);
        unwatch();
      };
      work.then(
        (ready) => {
          done();
          if (!state.aborted) resolve(this.lend(ready.slot));
        },
        (error: unknown) => {
          done();
          if (!state.aborted) reject(error);
        },
      );
    });
  }

  /**
   * The slot holding a usable connection: the one it had, checked where the pool validates
   * (one that fails is closed, and the next free slot with an open connection is tried, else
   * this one reconnects), or a new one.
   */
  private async ready(first: Slot<C>, fromIdle: boolean, caller: Progress<C>): Promise<{ slot: Slot<C> & { conn: C }; opened: boolean }> {
    let slot = first;
    let check = fromIdle && this.options.validate !== undefined;
    while (check && slot.conn !== null && !slot.conn.closed) {
      caller.current = slot;
      // A synchronous hook answers inside acquire(), before the next acquire takes anything.
      const verdict = this.validates(slot, slot.conn);
      let ok: boolean;
      if (typeof verdict === 'boolean') ok = verdict;
      else {
        caller.checking = true;
        ok = await verdict;
        caller.checking = false;
      }
      // Closed at the acquire's deadline, the slot already went on without this check.
      if (caller.dropped) throw new PoolTimeoutError(0, this.options.maxSize, true);
      if (ok) return { slot: slot as Slot<C> & { conn: C }, opened: false };
      this.onValidationFailed(slot);
      if (this.refillsOn('after-discard')) this.refillAfterDiscard();
      if (caller.aborted || this.state !== 'open') {
        // Nobody to try another for: the empty slot goes to the next waiter, or back.
        this.giveBack(slot);
        throw new PoolAbortedError();
      }
      const next = this.topOpenFreeSlot();
      if (next === undefined) break;
      this.free.splice(this.free.indexOf(next), 1);
      this.take(next);
      // The empty slot goes to the bottom: it reconnects only when no open one is left.
      slot.inUse = false;
      this.free.unshift(slot);
      slot = next;
      check = true;
    }
    const conn = slot.conn;
    if (conn !== null && !conn.closed) return { slot: slot as Slot<C> & { conn: C }, opened: false };
    slot.conn = null;
    caller.current = slot;
    try {
      await this.openConnection(slot, caller);
    } catch (error) {
      // Abandoned at its deadline, the slot already went on without this connect.
      if (caller.abandoned === true) throw error;
      // The slot stays empty, and its capacity goes to the next waiter or back onto the stack.
      this.onConnectFailed(slot);
      throw error;
    }
    return { slot: slot as Slot<C> & { conn: C }, opened: true };
  }

  /**
   * Runs the validation hook: a hook that throws, or rejects, counts as a failed check. A hook
   * that answers synchronously is answered synchronously. @internal seam for fixtures/mutants
   */
  protected validates(_slot: Slot<C>, conn: C): boolean | Promise<boolean> {
    const validate = this.options.validate;
    if (validate === undefined) return true;
    try {
      const verdict = validate(conn);
      return typeof verdict === 'boolean' ? verdict : Promise.resolve(verdict).then((ok) => ok === true, () => false);
    } catch {
      return false;
    }
  }

  /** A connection failed its check: it is closed now. @internal seam for fixtures/mutants */
  protected onValidationFailed(slot: Slot<C>): void {
    this.dropConnection(slot);
  }

  /**
   * The acquire this slot was readied for was aborted: the connection goes to the next waiter, or
   * back to the free stack; where the pool closes aborted connects, a connection it opened for
   * the acquire is closed first. @internal seam for fixtures/mutants
   */
  protected abandoned(slot: Slot<C>, opened: boolean): void {
    if (this.options.closeAbortedConnects && opened) this.dropConnection(slot);
    this.giveBack(slot, opened);
  }

  /** An aborted waiter leaves the queue, and gets this error. @internal seam for fixtures/mutants */
  protected waiterAborted(waiter: Waiter<C>): Error {
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    return new PoolAbortedError();
  }

  private topOpenFreeSlot(): Slot<C> | undefined {
    for (let i = this.free.length - 1; i >= 0; i--) if (this.free[i]!.isOpen) return this.free[i];
    return undefined;
  }

  private lend(slot: Slot<C> & { conn: C }): C {
    const conn = slot.conn;
    this.lent.set(conn, slot);
    this.everLent.add(conn);
    return conn;
  }

  private async openConnection(slot: Slot<C>, caller?: { readonly abandoned?: boolean }): Promise<C> {
    slot.connecting = true;
    let conn: C;
    try {
      conn = await this.options.connect();
    } finally {
      // An abandoned connect no longer owns its slot, which may be connecting for another acquire.
      if (caller?.abandoned !== true) slot.connecting = false;
    }
    if (caller?.abandoned === true) {
      this.lateConnectLanded(conn);
      throw new PoolTimeoutError(0, this.options.maxSize, true);
    }
    // Nobody can use a connection that lands after terminate(), or an initial one after close().
    if (this.state === 'terminated' || (!slot.inUse && this.state !== 'starting')) {
      this.closeLanded(conn);
      throw new PoolClosedError('the pool was closed while this connection was opening; it has been closed');
    }
    slot.conn = conn;
    slot.createdAt = Date.now();
    slot.releasedAt = null;
    this.listenForBreak(slot, conn);
    return conn;
  }

  /** Listens for the server ending the slot's connection, unless the pool ignores breaks. */
  private listenForBreak(slot: Slot<C>, conn: C): void {
    if (!this.options.ignoresBreaks) conn.onBreak(() => this.connectionBroke(slot, conn));
  }

  /** A connection in use is discarded when it comes back; an idle one goes now. */
  private connectionBroke(slot: Slot<C>, conn: C): void {
    if (slot.conn !== conn) return;
    this.broken.add(conn);
    if (!slot.inUse && this.free.includes(slot)) {
      this.onBrokenIdle(slot);
      if (this.refillsOn('after-discard')) this.refillAfterDiscard();
    }
  }

  /**
   * `fresh`: a connection just opened (for an acquire that was aborted, or by a refill), which a
   * waiter gets unchecked, as an acquire gets the connection opened for it.
   */
  private giveBack(slot: Slot<C>, fresh = false): void {
    if (this.state !== 'open') {
      // Closing or terminated: nothing is handed out or parked any more.
      slot.inUse = false;
      this.dropConnection(slot);
      this.settleClose();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      // Direct hand-off: the slot never becomes free, so no expiry is armed.
      this.take(slot);
      if (fresh) this.freshHandoffs.add(slot);
      waiter.grant(slot);
      return;
    }
    slot.inUse = false;
    if (!slot.isOpen) {
      // An empty slot goes to the bottom: a live connection is reused before a slot reconnects.
      this.free.unshift(slot);
      return;
    }
    this.free.push(slot);
    slot.releasedAt = Date.now();
    this.onRelease(slot);
  }

  /** Closes the slot's connection unless it is closed already (a second close would be a double destroy). */
  private dropConnection(slot: Slot<C>): void {
    const conn = slot.conn;
    slot.conn = null;
    if (conn !== null && !conn.closed) this.closeConnection(conn);
  }

  private closeConnection(conn: C): void {
    let closing: Promise<void>;
    try {
      closing = Promise.resolve(conn.close());
    } catch (error) {
      closing = Promise.reject(error);
    }
    // A close that fails still leaves the connection unusable; it must not fail the pool.
    const settled: Promise<void> = closing
      .catch(() => undefined)
      .finally(() => {
        this.closings.delete(settled);
      });
    this.closings.add(settled);
    // Only a pool that refills once a discard's close has completed waits for one.
    if (!this.options.refillWhenClosed) return;
    // Read by a discard in the same call (`refillAfterDiscard`); forgotten once the stretch is
    // over, so a later discard that closes nothing does not wait for it.
    this.lastClose = settled;
    void Promise.resolve().then(() => {
      if (this.lastClose === settled) this.lastClose = null;
    });
  }

  /** A connection that landed after terminate() (or an initial one after close()): nobody can use it. @internal seam for fixtures/mutants */
  protected closeLanded(conn: C): void {
    this.closeConnection(conn);
  }

  /**
   * With `closeRejectsConnects`, close() and terminate() reject the acquires whose connections are opening; each
   * connection is given back as it lands, to a closing pool, which closes it. @internal seam for fixtures/mutants
   */
  protected rejectConnects(): void {
    for (const reject of [...this.connectsToReject]) reject();
    this.connectsToReject.clear();
  }

  /** Close and terminate reject every queued acquire. @internal seam for fixtures/mutants */
  protected rejectWaiters(call: string): void {
    for (const waiter of this.waiters.splice(0)) {
      waiter.fail(
        new PoolClosedError(
          `acquire() was still waiting for a free connection when ${call} was called; pending acquires are rejected on close`,
        ),
      );
    }
  }

  private settleClose(): void {
    if (this.state !== 'closing') return;
    if (this.closeTimer !== null || this.slots.some((slot) => slot.inUse || slot.connecting)) return;
    this.state = 'closed';
    this.onClosed();
    this.resolveClose();
  }

  private resolveClose(): void {
    const finish = this.finishClose;
    if (finish === null) return;
    this.finishClose = null;
    void Promise.allSettled([...this.closings]).then(() => finish());
  }
}

/**
 * Creates a pool and opens its `minSize` connections in parallel before resolving, as asyncpg does.
 *
 * @example
 * const pool = await createPool({ connect: () => connector.connect(), minSize: 1, maxInactiveConnectionLifetimeMs: 5000 });
 */
export async function createPool<C extends Connection = Connection>(options: PoolOptions<C>): Promise<Pool<C>> {
  return new Pool(options).start();
}

/** Waits one `setImmediate` or `setTimeout(0)`, looked up at call time so a fake clock controls it. */
function deferred(handoff: 'immediate' | 'timeout'): Promise<void> {
  return new Promise((resolve) => (handoff === 'immediate' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

function describe(conn: unknown): string {
  const id = (conn as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'number' ? `connection #${id}` : 'a value that is not a pool connection';
}
