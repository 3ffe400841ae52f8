import FakeTimers, { type Clock } from '@sinonjs/fake-timers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../connectors/types.js';
import {
  Pool,
  PoolAbortedError,
  PoolClosedError,
  PoolOptionsError,
  PoolTimeoutError,
  PoolUsageError,
  createPool,
  type PoolOptions,
  type Slot,
} from './index.js';

/** A connection that only counts its closes. */
class FakeConnection implements Connection {
  closed = false;
  closeCalls = 0;
  constructor(readonly id: number) {}
  async query(): Promise<unknown> {
    if (this.closed) throw new Error(`connection #${this.id} is closed`);
    return [{ '?column?': 1 }];
  }
  async close(): Promise<void> {
    this.closeCalls++;
    this.closed = true;
  }
  onBreak(): void {}
  /** What the next validation says; the pool's own tests set it. */
  valid = true;
  async validate(): Promise<boolean> {
    return this.isValid();
  }
  isValid(): boolean {
    return this.valid && !this.closed;
  }
}

/** In-memory connector: sequential ids, optional connect delay (on the fake clock) and injected failures. */
class FakeConnector {
  readonly made: FakeConnection[] = [];
  delayMs = 0;
  failures: Error[] = [];

  readonly connect = async (): Promise<FakeConnection> => {
    // A slow connect waits on the installed fake clock: virtual time, never real.
    if (this.delayMs > 0) await new Promise((resolve) => clock.setTimeout(resolve, this.delayMs));
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const conn = new FakeConnection(this.made.length + 1);
    this.made.push(conn);
    return conn;
  };

  get closeCalls(): number[] {
    return this.made.map((conn) => conn.closeCalls);
  }
}

let clock: Clock;
let connector: FakeConnector;

beforeEach(() => {
  clock = FakeTimers.withGlobal(globalThis).install({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'],
  });
  connector = new FakeConnector();
});

afterEach(() => {
  clock.uninstall();
});

function pool(options: Omit<PoolOptions<FakeConnection>, 'connect'> = {}): Promise<Pool<FakeConnection>> {
  return createPool({ connect: connector.connect, ...options });
}

/** Catches a rejection now, so a promise that rejects during a tick is never reported as unhandled. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

describe('expiry', () => {
  it('closes an idle connection exactly at release + lifetime', async () => {
    const p = await pool({ maxInactiveConnectionLifetimeMs: 5000 });
    const conn = await p.acquire();
    p.release(conn);
    await clock.tickAsync(4999);
    expect(conn.closed).toBe(false);
    expect(p.getIdleSize()).toBe(1);
    await clock.tickAsync(1);
    expect(conn.closed).toBe(true);
    expect([p.getIdleSize(), p.getSize()]).toEqual([0, 0]);
    expect(clock.countTimers()).toBe(0);
  });

  it('arms expiry at creation for the minSize initial connections', async () => {
    const p = await pool({ minSize: 2, maxInactiveConnectionLifetimeMs: 1000 });
    expect([p.getSize(), p.getIdleSize()]).toEqual([2, 2]);
    await clock.tickAsync(999);
    expect(p.getIdleSize()).toBe(2);
    await clock.tickAsync(1);
    expect(p.getSize()).toBe(0);
    expect(connector.closeCalls).toEqual([1, 1]);
  });

  it('re-arms on every release, counting from the last release', async () => {
    const p = await pool({ maxInactiveConnectionLifetimeMs: 5000 });
    const first = await p.acquire();
    p.release(first);
    await clock.tickAsync(3000);
    const again = await p.acquire();
    expect(again).toBe(first);
    await clock.tickAsync(1000);
    p.release(again);
    await clock.tickAsync(4999);
    expect(first.closed).toBe(false);
    await clock.tickAsync(1);
    expect(first.closed).toBe(true);
  });

  it('cancels expiry on acquire, synchronously inside the call', async () => {
    const p = await pool({ maxInactiveConnectionLifetimeMs: 1000 });
    const conn = await p.acquire();
    p.release(conn);
    expect(clock.countTimers()).toBe(1);
    const again = p.acquire();
    expect(clock.countTimers()).toBe(0);
    expect(p.getIdleSize()).toBe(0);
    expect(await again).toBe(conn);
    await clock.tickAsync(10_000);
    expect(conn.closed).toBe(false);
  });

  it.each(['immediate', 'timeout'] as const)('with handoff %s, takes the slot only when that macrotask runs', async (handoff) => {
    const p = await pool({ maxInactiveConnectionLifetimeMs: 1000, handoff });
    const first = p.acquire();
    await clock.tickAsync(0);
    const conn = await first;
    p.release(conn);
    const again = p.acquire();
    // Still idle, its expiry still armed: a timer due before the macrotask would close it first.
    expect([p.getIdleSize(), clock.countTimers()]).toEqual([1, 2]);
    await clock.tickAsync(0);
    expect(await again).toBe(conn);
    expect([p.getIdleSize(), clock.countTimers()]).toEqual([0, 0]);
  });

  it('reconnects an expired slot lazily on the next acquire', async () => {
    const p = await pool({ maxInactiveConnectionLifetimeMs: 1000 });
    p.release(await p.acquire());
    await clock.tickAsync(1000);
    expect(p.getSize()).toBe(0);
    const fresh = await p.acquire();
    expect(fresh.id).toBe(2);
    expect(p.getSize()).toBe(1);
  });

  it('never expires with a lifetime of 0', async () => {
    const p = await pool({ minSize: 1, maxInactiveConnectionLifetimeMs: 0 });
    p.release(await p.acquire());
    expect(clock.countTimers()).toBe(0);
    await clock.tickAsync(3_600_000);
    expect(p.getIdleSize()).toBe(1);
  });

  it('ignores minSize by default, as asyncpg does', async () => {
    const p = await pool({ minSize: 1, maxInactiveConnectionLifetimeMs: 1000 });
    await clock.tickAsync(1000);
    expect(p.getSize()).toBe(0);
  });

  it('keeps the floor with expiryRespectsMinSize: the kept connection stays idle without a timer', async () => {
    const p = await pool({ minSize: 1, expiryRespectsMinSize: true, maxInactiveConnectionLifetimeMs: 1000 });
    const a = await p.acquire();
    const b = await p.acquire();
    p.release(a);
    p.release(b);
    await clock.tickAsync(1000);
    expect([a.closed, b.closed]).toEqual([true, false]);
    expect([p.getSize(), p.getIdleSize()]).toEqual([1, 1]);
    expect(clock.countTimers()).toBe(0);
    await clock.tickAsync(3_600_000);
    expect(b.closed).toBe(false);
    // Acquire and release re-arms it; it is still the floor, so it is kept again.
    p.release(await p.acquire());
    expect(clock.countTimers()).toBe(1);
    await clock.tickAsync(1000);
    expect(b.closed).toBe(false);
    expect(clock.countTimers()).toBe(0);
  });
});

describe('min refill and first opening', () => {
  it('minRefill after-expiry: opens a connection back as the last one expires, its expiry armed', async () => {
    const p = await pool({ minSize: 1, maxInactiveConnectionLifetimeMs: 1000, minRefill: ['after-expiry'] });
    await clock.tickAsync(1000);
    expect(connector.made.map((c) => c.closed)).toEqual([true, false]);
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 1]);
    expect(clock.countTimers()).toBe(1);
  });

  it('minRefill at-acquire: a burst of acquires is counted whole, and no more than max is opened', async () => {
    const p = await pool({ minSize: 3, maxSize: 4, minOpens: 'never', minRefill: ['at-acquire'] });
    await Promise.all([p.acquire(), p.acquire()]);
    await clock.tickAsync(0);
    // Two opened for the burst, then one for the refill: not one per acquire.
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 3]);
    const full = await pool({ minSize: 3, maxSize: 3, minOpens: 'never', minRefill: ['at-acquire'] });
    await Promise.all([full.acquire(), full.acquire(), full.acquire()]);
    await clock.tickAsync(0);
    expect([full.getIdleSize(), full.getSize()]).toEqual([0, 3]);
  });

  it('minRefill at-acquire with an idle floor: taking an idle connection opens one back', async () => {
    const p = await pool({ minSize: 1, maxSize: 3, expiryRespectsMinSize: true, minFloorCounts: 'idle', minRefill: ['at-acquire'] });
    const first = await p.acquire();
    await clock.tickAsync(0);
    expect(first.id).toBe(1);
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 2]);
  });

  it('minRefill after-discard: a destroyed connection is replaced', async () => {
    const p = await pool({ minSize: 1, minRefill: ['after-discard'] });
    p.destroy(await p.acquire());
    await clock.tickAsync(0);
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 1]);
  });

  it('minOpens first-acquire: nothing on start, the rest of min at the first acquire only', async () => {
    const p = await pool({ minSize: 2, maxSize: 4, minOpens: 'first-acquire' });
    expect(p.getSize()).toBe(0);
    const conn = await p.acquire();
    await clock.tickAsync(0);
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 2]);
    p.release(conn);
    await p.acquire();
    await p.acquire();
    await clock.tickAsync(0);
    // Later acquires open nothing on their own.
    expect([p.getIdleSize(), p.getSize()]).toEqual([0, 2]);
  });

  it('minOpens never: start opens nothing', async () => {
    const p = await pool({ minSize: 2, minOpens: 'never' });
    expect(p.getSize()).toBe(0);
  });

  it('close() waits for a refill in flight, and closes its connection as it lands', async () => {
    connector.delayMs = 10;
    const p = await pool({ minSize: 1, maxSize: 2, minOpens: 'never', minRefill: ['after-discard'] });
    const conn = p.acquire();
    await clock.tickAsync(10);
    p.destroy(await conn);
    await clock.tickAsync(0);
    let closed = false;
    void p.close().then(() => (closed = true));
    await clock.tickAsync(5);
    expect(closed).toBe(false);
    await clock.tickAsync(5);
    expect(closed).toBe(true);
    expect(connector.made.map((c) => c.closed)).toEqual([true, true]);
  });
});

describe('reuse order', () => {
  it('hands out the minSize connections first, top of the stack first', async () => {
    const p = await pool({ minSize: 2, maxSize: 3 });
    expect((await p.acquire()).id).toBe(1);
    expect((await p.acquire()).id).toBe(2);
    expect((await p.acquire()).id).toBe(3);
  });

  it('reuses the most recently released slot (LIFO)', async () => {
    const p = await pool({ maxSize: 3 });
    const [a, b, c] = [await p.acquire(), await p.acquire(), await p.acquire()];
    p.release(a);
    p.release(c);
    p.release(b);
    expect(await p.acquire()).toBe(b);
    expect(await p.acquire()).toBe(c);
    expect(await p.acquire()).toBe(a);
  });

  it('leaves an expired slot at its place in the free stack', async () => {
    const p = await pool({ maxSize: 2, maxInactiveConnectionLifetimeMs: 1000 });
    const a = await p.acquire();
    const b = await p.acquire();
    p.release(a);
    await clock.tickAsync(500);
    p.release(b);
    await clock.tickAsync(500);
    expect([a.closed, b.closed]).toEqual([true, false]);
    expect(await p.acquire()).toBe(b);
    expect((await p.acquire()).id).toBe(3);
  });
});

describe('waiters', () => {
  it('serves waiters in FIFO order by direct hand-off, with no expiry armed', async () => {
    const p = await pool({ maxSize: 1, maxInactiveConnectionLifetimeMs: 1000 });
    const held = await p.acquire();
    const first = p.acquire();
    const second = p.acquire();
    expect(p.getWaitingCount()).toBe(2);
    p.release(held);
    expect([p.getWaitingCount(), p.getIdleSize(), clock.countTimers()]).toEqual([1, 0, 0]);
    expect(await first).toBe(held);
    await clock.tickAsync(5000);
    expect(held.closed).toBe(false);
    p.release(held);
    expect(await second).toBe(held);
  });

  it('times out a waiter, which then never receives a slot', async () => {
    const p = await pool({ maxSize: 1 });
    const held = await p.acquire();
    const waiting = settle(p.acquire({ timeoutMs: 100 }));
    await clock.tickAsync(99);
    expect(p.getWaitingCount()).toBe(1);
    await clock.tickAsync(1);
    const { error } = await waiting;
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as Error).message).toBe(
      'poolcheck pool: acquire() timed out after 100 ms waiting for a free connection (all 1 in use); ' +
        'raise acquireTimeoutMs or pass a larger { timeoutMs } to acquire(), raise maxSize, or release connections sooner',
    );
    expect(p.getWaitingCount()).toBe(0);
    p.release(held);
    expect(p.getIdleSize()).toBe(1);
  });

  it('uses acquireTimeoutMs unless the call overrides it', async () => {
    const p = await pool({ maxSize: 1, acquireTimeoutMs: 50 });
    await p.acquire();
    const byDefault = settle(p.acquire());
    const overridden = settle(p.acquire({ timeoutMs: 200 }));
    await clock.tickAsync(50);
    expect((await byDefault).error).toBeInstanceOf(PoolTimeoutError);
    expect(p.getWaitingCount()).toBe(1);
    await clock.tickAsync(150);
    expect((await overridden).error).toBeInstanceOf(PoolTimeoutError);
  });
});

describe('connects', () => {
  it('counts a connect in flight in getSize', async () => {
    connector.delayMs = 10;
    const p = await pool({ maxSize: 1 });
    const acquiring = p.acquire();
    expect([p.getSize(), p.getIdleSize()]).toEqual([1, 0]);
    await clock.tickAsync(10);
    expect((await acquiring).id).toBe(1);
  });

  it('frees the capacity of a failed connect and rejects with its error', async () => {
    const boom = new Error('connection refused');
    connector.failures.push(boom);
    const p = await pool({ maxSize: 1 });
    await expect(p.acquire()).rejects.toBe(boom);
    expect([p.getSize(), p.getWaitingCount()]).toEqual([0, 0]);
    expect((await p.acquire()).id).toBe(1);
  });

  it('passes the slot of a failed connect to the next waiter', async () => {
    connector.delayMs = 10;
    connector.failures.push(new Error('connection refused'));
    const p = await pool({ maxSize: 1 });
    const failing = settle(p.acquire());
    const waiting = p.acquire();
    expect(p.getWaitingCount()).toBe(1);
    await clock.tickAsync(10);
    expect((await failing).error).toEqual(new Error('connection refused'));
    expect(p.getWaitingCount()).toBe(0);
    await clock.tickAsync(10);
    expect((await waiting).id).toBe(1);
  });

  it('closes what opened when an initial connect fails', async () => {
    const failing = new FakeConnector();
    let calls = 0;
    const connect = async (): Promise<FakeConnection> => {
      if (++calls === 2) throw new Error('second connect refused');
      return failing.connect();
    };
    await expect(createPool({ connect, minSize: 3 })).rejects.toThrow('second connect refused');
    expect(failing.closeCalls).toEqual([1, 1]);
    expect(clock.countTimers()).toBe(0);
  });
});

describe('close', () => {
  it('closes idle connections at once and in-use ones on release, then resolves', async () => {
    const p = await pool({ maxInactiveConnectionLifetimeMs: 1000 });
    const inUse = await p.acquire();
    const idle = await p.acquire();
    p.release(idle);
    let done = false;
    const closing = p.close().then(() => {
      done = true;
    });
    expect(idle.closed).toBe(true);
    expect(inUse.closed).toBe(false);
    expect(clock.countTimers()).toBe(0);
    await expect(p.acquire()).rejects.toThrow(
      'poolcheck pool: acquire() called while the pool is closing or closed; acquire before close()',
    );
    await clock.tickAsync(0);
    expect(done).toBe(false);
    p.release(inUse);
    expect(inUse.closed).toBe(true);
    await closing;
    expect(connector.closeCalls).toEqual([1, 1]);
    expect(clock.countTimers()).toBe(0);
  });

  it('with closeIdleAfterMs, closes idle connections from a timer that long after close(), and resolves then', async () => {
    const p = await pool({ closeIdleAfterMs: 50 });
    const idle = await p.acquire();
    const busy = await p.acquire();
    p.release(idle);
    let closed = false;
    void p.close().then(() => (closed = true));
    await clock.tickAsync(10);
    expect([idle.closed, closed]).toEqual([false, false]);
    p.release(busy);
    expect(busy.closed).toBe(true);
    await clock.tickAsync(40);
    expect([idle.closed, closed, clock.countTimers()]).toEqual([true, true, 0]);
  });

  it('rejects queued acquires, and returns the same promise when called twice', async () => {
    const p = await pool({ maxSize: 1 });
    const held = await p.acquire();
    const waiting = settle(p.acquire());
    const closing = p.close();
    expect(p.close()).toBe(closing);
    const { error } = await waiting;
    expect(error).toBeInstanceOf(PoolClosedError);
    expect((error as Error).message).toContain('when close() was called');
    p.release(held);
    await closing;
    expect(connector.closeCalls).toEqual([1]);
  });

  it('waits for an acquire that is still connecting, then closes its connection on release', async () => {
    connector.delayMs = 10;
    const p = await pool();
    const acquiring = p.acquire();
    let done = false;
    void p.close().then(() => {
      done = true;
    });
    await clock.tickAsync(10);
    const conn = await acquiring;
    expect(done).toBe(false);
    p.release(conn);
    await clock.tickAsync(0);
    expect(done).toBe(true);
    expect(connector.closeCalls).toEqual([1]);
  });
});

describe('terminate', () => {
  it('closes every connection at once, rejects waiters and cancels every timer', async () => {
    const p = await pool({ maxSize: 2, maxInactiveConnectionLifetimeMs: 1000 });
    const inUse = await p.acquire();
    p.release(await p.acquire());
    const second = await p.acquire();
    const waiting = settle(p.acquire());
    p.release(second);
    const waitingAfterHandOff = settle(p.acquire());
    p.terminate();
    p.terminate();
    // The first waiter was handed a slot, but its acquire resumes only after terminate().
    expect((await waiting).error).toBeInstanceOf(PoolClosedError);
    expect((await waitingAfterHandOff).error).toBeInstanceOf(PoolClosedError);
    expect(connector.closeCalls).toEqual([1, 1]);
    expect(clock.countTimers()).toBe(0);
    expect([p.getSize(), p.getIdleSize(), p.getWaitingCount()]).toEqual([0, 0, 0]);
    await expect(p.acquire()).rejects.toThrow('poolcheck pool: acquire() called after terminate(); acquire before terminate()');
    expect(() => p.release(inUse)).toThrow(
      'poolcheck pool: release() of connection #1 after terminate(); terminate() already closed it, so drop it instead',
    );
    await expect(p.close()).resolves.toBeUndefined();
  });

  it('closes a connection that lands after terminate() and rejects its acquire', async () => {
    connector.delayMs = 10;
    const p = await pool();
    const acquiring = settle(p.acquire());
    p.terminate();
    await clock.tickAsync(10);
    expect((await acquiring).error).toBeInstanceOf(PoolClosedError);
    expect(connector.closeCalls).toEqual([1]);
  });

  it('settles a pending close()', async () => {
    const p = await pool();
    const conn = await p.acquire();
    const closing = p.close();
    p.terminate();
    await closing;
    expect(conn.closeCalls).toBe(1);
  });
});

describe('usage errors', () => {
  it('rejects a foreign connection', async () => {
    const p = await pool();
    expect(() => p.release(new FakeConnection(42))).toThrow(
      new PoolUsageError(
        'release() of connection #42, which this pool never handed out; give a connection back to the pool that acquired it',
      ),
    );
  });

  it('rejects a double release', async () => {
    const p = await pool();
    const conn = await p.acquire();
    p.release(conn);
    expect(() => p.release(conn)).toThrow(
      'poolcheck pool: release() of connection #1, which was already given back; release or destroy each acquired connection exactly once',
    );
  });

  it('rejects a release after close() completed', async () => {
    const p = await pool();
    const conn = await p.acquire();
    p.release(conn);
    await p.close();
    expect(() => p.release(conn)).toThrow(
      'poolcheck pool: release() of connection #1 after close() completed; give connections back before close()',
    );
  });

  it('rejects a bad per-call timeout', async () => {
    const p = await pool();
    await expect(p.acquire({ timeoutMs: -1 })).rejects.toThrow(
      new PoolUsageError(
        'acquire(): timeoutMs must be an integer number of milliseconds from 0 to 2147483647 (omit it to use acquireTimeoutMs), got -1',
      ),
    );
  });

  it('rejects acquire before start, and a second start', async () => {
    const p = new Pool({ connect: connector.connect });
    await expect(p.acquire()).rejects.toThrow(
      'poolcheck pool: acquire() before the pool finished starting; await createPool(options) (or pool.start()) first',
    );
    await p.start();
    await expect(p.start()).rejects.toThrow('poolcheck pool: start() called twice; createPool() already starts the pool');
  });
});

describe('option validation', () => {
  const connect = async (): Promise<Connection> => new FakeConnection(1);
  const ms = (name: string, hint: string, got: string): string =>
    `poolcheck pool: ${name} must be an integer number of milliseconds from 0 to 2147483647 ${hint}, got ${got}`;
  const cases: [string, unknown, string][] = [
    ['not an object', null, 'poolcheck pool: options must be an object with at least a connect function, got null'],
    [
      'unknown key',
      { connect, idleTimeoutMillis: 5 },
      'poolcheck pool: unknown option "idleTimeoutMillis"; known options are connect, minSize, maxSize, ' +
        'maxInactiveConnectionLifetimeMs, expiryRespectsMinSize, minFloorCounts, acquireTimeoutMs, validate, validateHandoffs, closeAbortedConnects, handoff, closeIdleAfterMs, acquireTimeoutPollMs, acquireTimeoutCoversConnect, closeTimedOutChecks, closeRejectsConnects, minRefill, refillWhenClosed, minOpens, ignoresBreaks',
    ],
    [
      'minRefill with a value the pool has not',
      { connect, minRefill: ['on-reaper-run'] },
      'poolcheck pool: minRefill must be a list of distinct values among "after-expiry", "after-discard", "at-acquire" ([] for never), got ["on-reaper-run"]',
    ],
    ['minOpens unknown', { connect, minOpens: 'lazily' }, 'poolcheck pool: minOpens must be "on-create", "first-acquire" or "never", got "lazily"'],
    [
      'minFloorCounts not size or idle',
      { connect, minFloorCounts: 'busy' },
      'poolcheck pool: minFloorCounts must be "size" or "idle", got "busy"',
    ],
    ['unknown handoff', { connect, handoff: 'nextTick' }, 'poolcheck pool: handoff must be "microtask", "immediate" or "timeout", got "nextTick"'],
    [
      'connect missing',
      {},
      'poolcheck pool: connect must be a function returning a Promise of a connection, got undefined',
    ],
    ['negative minSize', { connect, minSize: -1 }, 'poolcheck pool: minSize must be an integer >= 0, got -1'],
    ['fractional minSize', { connect, minSize: 1.5 }, 'poolcheck pool: minSize must be an integer >= 0, got 1.5'],
    ['string maxSize', { connect, maxSize: '3' }, 'poolcheck pool: maxSize must be an integer >= 1, got "3"'],
    ['maxSize 0', { connect, maxSize: 0 }, 'poolcheck pool: maxSize must be an integer >= 1, got 0'],
    [
      'minSize above maxSize',
      { connect, minSize: 5, maxSize: 3 },
      'poolcheck pool: minSize (5) must not exceed maxSize (3); lower minSize or raise maxSize',
    ],
    [
      'negative lifetime',
      { connect, maxInactiveConnectionLifetimeMs: -1 },
      ms('maxInactiveConnectionLifetimeMs', '(0 disables expiry)', '-1'),
    ],
    [
      'NaN lifetime',
      { connect, maxInactiveConnectionLifetimeMs: NaN },
      ms('maxInactiveConnectionLifetimeMs', '(0 disables expiry)', 'NaN'),
    ],
    [
      'infinite lifetime',
      { connect, maxInactiveConnectionLifetimeMs: Infinity },
      ms('maxInactiveConnectionLifetimeMs', '(0 disables expiry)', 'Infinity'),
    ],
    [
      'lifetime beyond setTimeout',
      { connect, maxInactiveConnectionLifetimeMs: 2 ** 31 },
      ms('maxInactiveConnectionLifetimeMs', '(0 disables expiry)', '2147483648'),
    ],
    [
      'non-boolean floor flag',
      { connect, expiryRespectsMinSize: 'yes' },
      'poolcheck pool: expiryRespectsMinSize must be true or false, got "yes"',
    ],
    [
      'negative timeout',
      { connect, acquireTimeoutMs: -5 },
      ms('acquireTimeoutMs', '(omit it to wait forever)', '-5'),
    ],
    ['NaN timeout', { connect, acquireTimeoutMs: NaN }, ms('acquireTimeoutMs', '(omit it to wait forever)', 'NaN')],
  ];

  it.each(cases)('rejects %s', (_name, options, message) => {
    expect(() => new Pool(options as PoolOptions)).toThrow(new PoolOptionsError(message.replace(/^poolcheck pool: /, '')));
  });

  it('rejects through createPool too', async () => {
    await expect(createPool({ connect, maxSize: 0 })).rejects.toBeInstanceOf(PoolOptionsError);
  });
});

describe('seams for fixtures/mutants', () => {
  it('lets one overridden method change the expiry delay', async () => {
    class OffByOne extends Pool<FakeConnection> {
      protected override expiryDelayMs(slot: Slot<FakeConnection>): number {
        return super.expiryDelayMs(slot) + 1;
      }
    }
    const p = await new OffByOne({ connect: connector.connect, maxInactiveConnectionLifetimeMs: 1000 }).start();
    const conn = await p.acquire();
    p.release(conn);
    await clock.tickAsync(1000);
    expect(conn.closed).toBe(false);
    await clock.tickAsync(1);
    expect(conn.closed).toBe(true);
  });

  it('exposes createdAt and releasedAt from the fake clock', async () => {
    const seen: (number | null)[][] = [];
    class Spy extends Pool<FakeConnection> {
      protected override onRelease(slot: Slot<FakeConnection>): void {
        seen.push([slot.createdAt, slot.releasedAt]);
        super.onRelease(slot);
      }
    }
    const p = await new Spy({ connect: connector.connect }).start();
    await clock.tickAsync(100);
    const conn = await p.acquire();
    await clock.tickAsync(50);
    p.release(conn);
    expect(seen).toEqual([[100, 150]]);
  });
});

describe('abort and validation', () => {
  it('rejects an aborted waiter at once and takes it out of the queue', async () => {
    const p = await pool({ maxSize: 1 });
    const held = await p.acquire();
    const controller = new AbortController();
    const waiting = settle(p.acquire({ signal: controller.signal }));
    await clock.tickAsync(0);
    expect(p.getWaitingCount()).toBe(1);
    controller.abort();
    expect((await waiting).error).toBeInstanceOf(PoolAbortedError);
    expect(p.getWaitingCount()).toBe(0);
    p.release(held);
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 1]);
  });

  it('keeps a connection that lands for an acquire aborted during its connect, or closes it when told to', async () => {
    for (const closeAbortedConnects of [false, true]) {
      connector.delayMs = 10;
      const p = await pool({ maxSize: 1, closeAbortedConnects });
      const controller = new AbortController();
      const acquiring = settle(p.acquire({ signal: controller.signal }));
      await clock.tickAsync(1);
      controller.abort();
      expect((await acquiring).error).toBeInstanceOf(PoolAbortedError);
      expect(p.getSize()).toBe(1);
      await clock.tickAsync(10);
      const landed = connector.made.at(-1)!;
      expect([landed.closed, p.getIdleSize(), p.getSize()]).toEqual(closeAbortedConnects ? [true, 0, 0] : [false, 1, 1]);
      p.terminate();
    }
  });

  it('closes a connection that fails validation and lends the next idle one', async () => {
    const p = await pool({ minSize: 2, validate: (conn) => conn.isValid() });
    const top = await p.acquire();
    p.release(top);
    top.valid = false;
    const conn = await p.acquire();
    expect(conn).not.toBe(top);
    expect(top.closed).toBe(true);
    expect([p.getIdleSize(), p.getSize()]).toEqual([0, 1]);
  });

  it('reconnects the slot when no idle connection passes an async check', async () => {
    const p = await pool({ minSize: 1, validate: async (conn) => conn.validate() });
    const [only] = connector.made as [FakeConnection];
    only.valid = false;
    const conn = await p.acquire();
    expect(conn).not.toBe(only);
    expect(only.closed).toBe(true);
    expect(connector.made).toHaveLength(2);
  });

  it('rejects a validate option that is not a function', () => {
    expect(() => new Pool({ connect: connector.connect, validate: true as unknown as () => boolean })).toThrow(/validate must be a function of a connection returning true or false/);
  });

  it('rejects validateHandoffs that is not a boolean, or without validate', () => {
    expect(() => new Pool({ connect: connector.connect, validate: () => true, validateHandoffs: 'yes' as unknown as boolean })).toThrow(/validateHandoffs must be true or false, got "yes"/);
    expect(() => new Pool({ connect: connector.connect, validateHandoffs: true })).toThrow(/validateHandoffs is true but there is no validate function; pass validate, or leave validateHandoffs out/);
  });

  it('with validateHandoffs, checks a connection released to a waiter, and opens another for it when the check fails', async () => {
    const checked: number[] = [];
    let fail = false;
    // The check runs as the waiter resumes, after release() returns: it fails once.
    const validate = (c: Connection): boolean => {
      checked.push(c.id);
      const ok = !fail;
      fail = false;
      return ok;
    };
    const pool = await createPool({ connect: connector.connect, maxSize: 1, validate, validateHandoffs: true });
    const first = await pool.acquire();
    const waiting = pool.acquire();
    fail = true;
    pool.release(first);
    // The check failed: the waiter gets a new connection, and the released one is closed.
    const second = await waiting;
    expect(checked).toEqual([first.id]);
    expect(second.id).not.toBe(first.id);
    expect(first.closed).toBe(true);
    pool.release(second);
    await pool.close();
  });

  it('with validateHandoffs, hands a refill\'s connection to a waiter unchecked: it was just opened', async () => {
    const checked: number[] = [];
    let failing = false;
    // Every check after the destroy fails.
    const validate = (c: Connection): boolean => {
      checked.push(c.id);
      return !failing;
    };
    const p = await pool({ minSize: 1, maxSize: 1, validate, validateHandoffs: true, minRefill: ['after-discard'] });
    // A destroy calls for the refill, whose connect is in flight as the next acquire queues.
    p.destroy(await p.acquire());
    failing = true;
    connector.delayMs = 1;
    await clock.tickAsync(0);
    const waiting = settle(p.acquire());
    expect(p.getWaitingCount()).toBe(1);
    await clock.tickAsync(1);
    // The waiter got the refill's connection as it landed, with no check that could fail it.
    expect(checked).toEqual([1]);
    expect(connector.closeCalls).toEqual([1, 0]);
    expect((await waiting).value?.id).toBe(2);
  });
});

describe('a deadline over the wait and the connect (acquireTimeoutCoversConnect)', () => {
  it('rejects an acquire whose connect is in flight at its deadline, frees the slot at once, and closes the connection as it lands', async () => {
    const p = await pool({ maxSize: 1, acquireTimeoutMs: 10, acquireTimeoutCoversConnect: true });
    connector.delayMs = 30;
    const first = settle(p.acquire());
    await clock.tickAsync(10);
    const { error } = await first;
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as Error).message).toMatch(/timed out after 10 ms while its connection was still opening/);
    expect(p.getSize()).toBe(0);
    // The slot is free: the next acquire connects at once.
    connector.delayMs = 0;
    const second = await p.acquire();
    expect(second.id).toBe(1);
    await clock.tickAsync(20);
    expect(connector.made.map((c) => [c.id, c.closeCalls])).toEqual([[1, 0], [2, 1]]);
    p.release(second);
    await p.close();
    expect(clock.countTimers()).toBe(0);
  });

  it('hands the freed slot to the first waiter, whose own deadline runs from its call', async () => {
    const p = await pool({ maxSize: 1, acquireTimeoutMs: 10, acquireTimeoutCoversConnect: true });
    connector.delayMs = 8;
    const first = settle(p.acquire());
    await clock.tickAsync(5);
    const second = settle(p.acquire());
    // The first connect lands at 8, within its deadline at 10; the waiter's deadline is 15.
    await clock.tickAsync(3);
    const { value: conn } = await first;
    p.release(conn as FakeConnection);
    expect(await second).toEqual({ value: conn });
    p.release(conn as FakeConnection);
    await p.close();
  });

  it('gives a connect up at the first poll after its deadline, with acquireTimeoutPollMs', async () => {
    const p = await pool({ maxSize: 1, acquireTimeoutMs: 10, acquireTimeoutPollMs: 25, acquireTimeoutCoversConnect: true });
    connector.delayMs = 100;
    const first = settle(p.acquire());
    await clock.tickAsync(24);
    expect(p.getSize()).toBe(1);
    await clock.tickAsync(1);
    expect((await first).error).toBeInstanceOf(PoolTimeoutError);
    expect(p.getSize()).toBe(0);
    await clock.tickAsync(75);
    expect(connector.closeCalls).toEqual([1]);
    await p.close();
    expect(clock.countTimers()).toBe(0);
  });

  it('also bounds a check in flight: the acquire is rejected, and the connection goes back once checked', async () => {
    const validate = (): Promise<boolean> => new Promise((resolve) => setTimeout(() => resolve(true), 30));
    const p = await pool({ minSize: 1, maxSize: 1, acquireTimeoutMs: 10, acquireTimeoutCoversConnect: true, validate });
    const first = settle(p.acquire());
    await clock.tickAsync(10);
    expect((await first).error).toBeInstanceOf(PoolTimeoutError);
    expect(((await first).error as Error).message).toMatch(/timed out after 10 ms while its connection was being validated/);
    expect([p.getIdleSize(), p.getSize()]).toEqual([0, 1]);
    await clock.tickAsync(20);
    expect([p.getIdleSize(), p.getSize()]).toEqual([1, 1]);
    expect(connector.closeCalls).toEqual([0]);
    await p.close();
    expect(clock.countTimers()).toBe(0);
  });

  it('closes the connection under check at the deadline with closeTimedOutChecks, its slot free at once', async () => {
    const validate = (): Promise<boolean> => new Promise((resolve) => setTimeout(() => resolve(true), 30));
    const p = await pool({ minSize: 1, maxSize: 1, acquireTimeoutMs: 10, acquireTimeoutCoversConnect: true, closeTimedOutChecks: true, validate });
    const first = settle(p.acquire());
    const second = settle(p.acquire());
    await clock.tickAsync(10);
    expect((await first).error).toBeInstanceOf(PoolTimeoutError);
    expect(connector.closeCalls).toEqual([1, 0]);
    // The waiter, whose deadline also came at 10 ms (set after the first's), gets the freed slot
    // first and connects at once.
    const { value } = await second;
    expect((value as FakeConnection).id).toBe(2);
    p.release(value as FakeConnection);
    await clock.tickAsync(30);
    await p.close();
    expect(clock.countTimers()).toBe(0);
  });

  it('must be a boolean; closeTimedOutChecks needs it and validate', () => {
    expect(() => new Pool({ connect: connector.connect, closeTimedOutChecks: true, validate: () => true })).toThrow(/closeTimedOutChecks says what an acquire deadline does to a check in flight; pass acquireTimeoutCoversConnect: true and validate with it/);
    expect(() => new Pool({ connect: connector.connect, acquireTimeoutCoversConnect: true, closeTimedOutChecks: 1 as unknown as boolean, validate: () => true })).toThrow(/closeTimedOutChecks must be true or false, got 1/);
    expect(() => new Pool({ connect: connector.connect, acquireTimeoutCoversConnect: 'yes' as unknown as boolean })).toThrow(/acquireTimeoutCoversConnect must be true or false, got "yes"/);
  });
});
