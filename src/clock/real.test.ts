import { afterEach, describe, expect, it } from 'vitest';
import { installFakeClock, uninstallAllClocks } from './fake.js';
import type { ExternalWork } from './real.js';

// Captured before any fake clock: the stand-in for a socket's I/O, a few real loop turns long.
const realImmediate = globalThis.setImmediate;
const turns = (n: number): Promise<void> => new Promise((resolve) => (n === 0 ? resolve() : realImmediate(() => void turns(n - 1).then(resolve))));

/** Work in flight that the clock can see, as a real-server connector tracks its I/O. */
function tracked(timeoutMs = 1_000): ExternalWork & { start<T>(work: Promise<T>): Promise<T> } {
  const inFlight = new Set<Promise<unknown>>();
  return {
    name: 'the test server',
    timeoutMs,
    pending: () => (inFlight.size === 0 ? null : Promise.allSettled(inFlight)),
    start(work) {
      inFlight.add(work);
      const done = (): void => void inFlight.delete(work);
      work.then(done, done);
      return work;
    },
  };
}

afterEach(() => uninstallAllClocks());

describe('a fake clock waiting for real work', () => {
  it('settles a call only once the real work it waits on has finished', async () => {
    const clock = installFakeClock();
    const work = tracked();
    clock.waitFor(work);
    let done = false;
    void work.start(turns(20)).then(() => (done = true));
    expect(await clock.settle(() => done)).toEqual({ ok: true });
    expect(done).toBe(true);
    // Without the wait, the same call is stuck after a few drains.
    const bare = installFakeClockAfter(clock);
    let again = false;
    void turns(20).then(() => (again = true));
    expect((await bare.settle(() => again)).ok).toBe(false);
  });

  it('lets real work take no virtual time: it finishes before the next timer fires', async () => {
    const clock = installFakeClock();
    const work = tracked();
    clock.waitFor(work);
    const seen: string[] = [];
    setTimeout(() => void work.start(turns(10)).then(() => seen.push(`work done at ${clock.now()}`)), 10);
    setTimeout(() => seen.push(`timer at ${clock.now()}`), 11);
    expect(await clock.sleep(20)).toEqual({ ok: true });
    expect(seen).toEqual(['work done at 10', 'timer at 11']);
  });

  it('delivers real work after every timer due at its instant, as Node\'s poll phase follows its timers phase', async () => {
    const clock = installFakeClock();
    const work = tracked();
    clock.waitFor(work);
    const seen: string[] = [];
    setTimeout(() => void work.start(turns(10)).then(() => seen.push(`work done at ${clock.now()}`)), 10);
    setTimeout(() => seen.push(`timer at ${clock.now()}`), 10);
    setTimeout(() => seen.push(`next timer at ${clock.now()}`), 11);
    expect(await clock.sleep(20)).toEqual({ ok: true });
    expect(seen).toEqual(['timer at 10', 'work done at 10', 'next timer at 11']);
    // At the sleep's first instant too: the timer due then runs before the work is waited for.
    const order: string[] = [];
    setTimeout(() => void work.start(turns(10)).then(() => order.push('work done')), 0);
    setTimeout(() => order.push('timer'), 0);
    await clock.sleep(1);
    expect(order).toEqual(['timer', 'work done']);
  });

  it('gives up after the real-time bound, naming what it waited for', async () => {
    const clock = installFakeClock();
    const work = tracked(1);
    clock.waitFor(work);
    void work.start(new Promise(() => undefined));
    expect(await clock.settle()).toEqual({ ok: false, reason: 'the test server did not answer within 0.001 s of real time (at 0 ms of virtual time)' });
  });
});

/** Uninstalls `previous` and installs a clock that waits for nothing. */
function installFakeClockAfter(previous: { uninstall(): void }): ReturnType<typeof installFakeClock> {
  previous.uninstall();
  return installFakeClock();
}
