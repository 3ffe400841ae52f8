import { afterEach, describe, expect, it } from 'vitest';
import { installFakeClock, keepFakeClockInstalled, uninstallAllClocks } from './fake.js';

afterEach(() => uninstallAllClocks());

// Captured before any clock exists.
const realSetTimeout = setTimeout;
const realDate = Date;

describe('the fake clock kept installed between the runs of one check()', () => {
  it('each run starts as from a fresh install: time 0, no timer of the previous run, Date faked', async () => {
    const release = keepFakeClockInstalled();
    const first = installFakeClock();
    setTimeout(() => undefined, 500);
    setInterval(() => undefined, 7);
    await first.sleep(1234);
    expect(first.now()).toBe(1234);
    first.uninstall();
    // Kept: the globals stay fake between runs, until the holder lets go.
    expect(setTimeout).not.toBe(realSetTimeout);
    const second = installFakeClock();
    expect(second.now()).toBe(0);
    expect(second.pendingTimers()).toBe(0);
    expect(Date).not.toBe(realDate);
    const fired: number[] = [];
    setTimeout(() => fired.push(second.now()), 10);
    await second.sleep(20);
    expect(fired).toEqual([10]);
    second.uninstall();
    release();
    expect(setTimeout).toBe(realSetTimeout);
    expect(Date).toBe(realDate);
  });

  it('runs still must not overlap', () => {
    const release = keepFakeClockInstalled();
    installFakeClock();
    expect(() => installFakeClock()).toThrow(/already installed/);
    release();
  });

  it('uninstallAllClocks restores the real timers while a holder still holds, as after a test timeout; the late release is harmless', () => {
    const release = keepFakeClockInstalled();
    installFakeClock();
    uninstallAllClocks();
    expect(setTimeout).toBe(realSetTimeout);
    expect(Date).toBe(realDate);
    release();
    expect(setTimeout).toBe(realSetTimeout);
    // A clock installed afterwards is an ordinary one again.
    const clock = installFakeClock();
    clock.uninstall();
    expect(setTimeout).toBe(realSetTimeout);
  });

  it('a run that fakes more than the default gets a clock of its own, uninstalled with the run', () => {
    const release = keepFakeClockInstalled();
    const own = installFakeClock({ alsoFake: ['performance'] });
    own.uninstall();
    expect(setTimeout).toBe(realSetTimeout);
    release();
  });
});
