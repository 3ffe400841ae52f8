import { afterEach, describe, expect, it } from 'vitest';
import { installFakeClock, uninstallAllClocks } from './fake.js';

afterEach(() => uninstallAllClocks());

describe('fake clock', () => {
  it('starts at 0 and moves only when told', async () => {
    const clock = installFakeClock();
    const start = Date.now();
    expect(clock.now()).toBe(0);
    await clock.settle();
    expect(clock.now()).toBe(0);
    await clock.sleep(1500);
    expect(clock.now()).toBe(1500);
    expect(Date.now() - start).toBe(1500);
  });

  it('sleep fires timers on time, in due order, with promise continuations between them', async () => {
    const clock = installFakeClock();
    const seen: string[] = [];
    setTimeout(() => {
      seen.push(`b@${clock.now()}`);
      void Promise.resolve().then(() => seen.push('b-continuation'));
    }, 20);
    setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    setTimeout(() => seen.push('late'), 31);
    await clock.sleep(30);
    expect(seen).toEqual(['a@10', 'b@20', 'b-continuation', 'c@20']);
    expect(clock.pendingTimers()).toBe(1);
  });

  it('a blocked loop runs nothing; on wake, queued work runs first, then overdue timers once each in due order at the wake time', async () => {
    const clock = installFakeClock();
    const seen: string[] = [];
    setTimeout(() => seen.push(`late-created-early-due@${clock.now()}`), 100);
    setTimeout(() => seen.push(`early-created-late-due@${clock.now()}`), 300);
    setInterval(() => seen.push(`interval@${clock.now()}`), 40);
    // Created after the 100 ms timer but due before it: Node fires by due time, not creation.
    setTimeout(() => seen.push(`second-created-first-due@${clock.now()}`), 50);
    clock.blockSync(1000);
    expect(seen).toEqual([]);
    expect(clock.now()).toBe(1000);
    void Promise.resolve().then(() => seen.push('queued-on-wake'));
    const woke = await clock.wake();
    expect(woke).toEqual({ ok: true });
    expect(seen).toEqual([
      'queued-on-wake',
      'interval@1000',
      'second-created-first-due@1000',
      'late-created-early-due@1000',
      'early-created-late-due@1000',
    ]);
  });

  it.each([
    ['timers', ['tick', 'overdue@1000', 'due-now@1000', 'immediate@1000', 'zero-delay@1000']],
    ['io', ['tick', 'immediate@1000', 'overdue@1000', 'due-now@1000', 'zero-delay@1000']],
  ] as const)('a wake into the %s phase orders the immediates queued on wake against the overdue timers', async (phase, order) => {
    const clock = installFakeClock();
    const seen: string[] = [];
    setTimeout(() => seen.push(`due-now@${clock.now()}`), 1000);
    setTimeout(() => {
      seen.push(`overdue@${clock.now()}`);
      // Queued by an overdue timer: on Node it waits for the next check phase in both cases.
      setImmediate(() => seen.push(`immediate-from-timer@${clock.now()}`));
    }, 10);
    clock.blockSync(1000);
    setImmediate(() => seen.push(`immediate@${clock.now()}`));
    setTimeout(() => seen.push(`zero-delay@${clock.now()}`), 0);
    process.nextTick(() => seen.push('tick'));
    expect(await clock.wake(phase)).toEqual({ ok: true });
    expect(seen.filter((s) => s !== 'immediate-from-timer@1000')).toEqual(order);
    expect(seen.indexOf('immediate-from-timer@1000')).toBeGreaterThan(seen.indexOf('due-now@1000'));
    expect(clock.pendingTimers()).toBe(0);
  });

  it('settle reports an operation that can never finish instead of hanging', async () => {
    const clock = installFakeClock();
    const never = new Promise<void>(() => undefined);
    let done = false;
    void never.then(() => (done = true));
    const settled = await clock.settle(() => done);
    expect(settled.ok).toBe(false);
  });

  it('an immediate created inside a timer runs in the same turn, as on Node', async () => {
    const clock = installFakeClock();
    const seen: string[] = [];
    setTimeout(() => setImmediate(() => seen.push(`immediate@${clock.now()}`)), 10);
    await clock.sleep(10);
    expect(seen).toEqual(['immediate@10']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('settle reports a pool that keeps scheduling work forever', async () => {
    const clock = installFakeClock();
    const spin = (): void => void setImmediate(spin);
    spin();
    const settled = await clock.settle();
    expect(settled).toMatchObject({ ok: false });
    clock.uninstall();
  });

  it('sleep reports a runaway timer loop', async () => {
    const clock = installFakeClock({ maxTimersPerInstant: 50 });
    // A zero-delay interval never lets time move.
    setInterval(() => undefined, 0);
    const settled = await clock.sleep(1000);
    expect(settled).toMatchObject({ ok: false, reason: expect.stringContaining('runaway') });
  });

  it('a fast interval over a long sleep is slow, not a runaway', async () => {
    const clock = installFakeClock({ maxTimersPerInstant: 50 });
    let runs = 0;
    setInterval(() => runs++, 1);
    expect(await clock.sleep(1000)).toEqual({ ok: true });
    expect(runs).toBe(1000);
  });

  it('a timer that throws is reported, as an uncaught exception would be', async () => {
    const clock = installFakeClock();
    setTimeout(() => {
      throw new Error('boom');
    }, 5);
    const settled = await clock.sleep(10);
    expect(settled).toMatchObject({ ok: false, reason: expect.stringContaining('boom') });
  });

  it('refuses a second clock while one is installed, and uninstall restores the real timers', () => {
    const realSetTimeout = globalThis.setTimeout;
    const clock = installFakeClock();
    expect(globalThis.setTimeout).not.toBe(realSetTimeout);
    expect(() => installFakeClock()).toThrow(/already installed/);
    clock.uninstall();
    clock.uninstall();
    expect(globalThis.setTimeout).toBe(realSetTimeout);
  });

  it('fakes only the time sources it lists: nextTick and microtasks stay real', () => {
    const realNextTick = process.nextTick;
    const realQueueMicrotask = globalThis.queueMicrotask;
    installFakeClock();
    expect(process.nextTick).toBe(realNextTick);
    expect(globalThis.queueMicrotask).toBe(realQueueMicrotask);
  });
});
