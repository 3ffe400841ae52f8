import type { PoolAdapter } from '../adapters/types.js';
import { ProbeSession } from './session.js';
import { FIRST_ACQUIRE_AT, FIRST_RELEASE_AT } from './expiry-spread.js';

/** The first time at or after `t` on a reaper's schedule of runs every `interval` ms from `anchor`. */
export function nextRun(anchor: number, interval: number, t: number): number {
  return anchor + Math.max(0, Math.ceil((t - anchor) / interval)) * interval;
}

/** A lifetime that is a whole number of intervals, about a second: eligibility then lands on a run. */
export function lifetimeOnRuns(interval: number): number {
  return interval * Math.max(1, Math.ceil(1_000 / interval));
}

export interface RunTimes {
  readonly lifetimeMs: number;
  /** The first connection, released on a run time, so that it becomes eligible exactly on a run. */
  readonly first: { readonly releasedAt: number; readonly closedAt: number | null };
  /** The second, released off the schedule once nothing was idle, to see whether the schedule restarts. */
  readonly second: { readonly releasedAt: number; readonly closedAt: number | null };
}

/**
 * With the interval and the schedule's anchor known: releases a connection on a run time, with a
 * lifetime of whole intervals (it becomes eligible exactly on a later run: closed then for `>=`,
 * one run later for `>`), then, once nothing is idle, releases another `offset` ms off the
 * schedule (a reaper that runs only while something is idle starts over from that release).
 */
export async function observeRunTimes(adapter: PoolAdapter, interval: number, anchor: number, offset: number): Promise<RunTimes | { error: string }> {
  const lifetimeMs = lifetimeOnRuns(interval);
  const horizon = lifetimeMs + 4 * interval;
  const made = await ProbeSession.with(adapter, { minSize: 0, maxSize: 2, lifetimeMs }, async (s) => {
    await s.sleepUntil(FIRST_ACQUIRE_AT);
    const a = await s.acquire();
    const b = await s.acquire();
    const r1 = nextRun(anchor, interval, FIRST_RELEASE_AT);
    await s.sleepUntil(r1);
    await s.release(a);
    await s.sleepUntilDone(() => s.destroyedAt(a) !== null, interval, horizon);
    const d1 = s.destroyedAt(a);
    const r2 = (d1 ?? s.now()) + offset;
    await s.sleepUntil(r2);
    await s.release(b);
    await s.sleepUntilDone(() => s.destroyedAt(b) !== null, interval, horizon);
    return { lifetimeMs, first: { releasedAt: r1, closedAt: d1 }, second: { releasedAt: r2, closedAt: s.destroyedAt(b) } };
  });
  return made.created ? made.value : { error: `create failed: ${made.error}` };
}

/**
 * Releases `count` connections together on a run time and counts how many each run closes: the
 * largest batch, when some were left for a later run, is the cap per run.
 */
export async function observeBatches(adapter: PoolAdapter, interval: number, anchor: number, count: number): Promise<{ batches: number[] } | { error: string }> {
  const lifetimeMs = lifetimeOnRuns(interval);
  const made = await ProbeSession.with(adapter, { minSize: 0, maxSize: count, lifetimeMs }, async (s) => {
    await s.sleepUntil(FIRST_ACQUIRE_AT);
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push(await s.acquire());
    await s.sleepUntil(nextRun(anchor, interval, FIRST_RELEASE_AT));
    for (const id of ids) await s.release(id);
    await s.sleepUntilDone(() => ids.every((id) => s.destroyedAt(id) !== null), interval, lifetimeMs + (count + 2) * interval);
    const byTime = new Map<number, number>();
    for (const id of ids) {
      const at = s.destroyedAt(id);
      if (at !== null) byTime.set(at, (byTime.get(at) ?? 0) + 1);
    }
    return [...byTime.entries()].sort((x, y) => x[0] - y[0]).map(([, n]) => n);
  });
  return made.created ? { batches: made.value } : { error: `create failed: ${made.error}` };
}
