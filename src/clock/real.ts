import type { Settled } from './clock.js';
import { drain } from './drain.js';

/*
 * Real time, for the one kind of work a fake clock cannot move: I/O to a real server. The timer
 * functions are captured when this module loads, before any fake clock exists (the clock module
 * imports this one), so a fake clock installed later cannot take them over.
 */
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realPerformance = performance;

/** Real milliseconds, whatever clock is installed. */
export function realNow(): number {
  return realPerformance.now();
}

/** Waits `ms` of real time, whatever clock is installed. */
export function realDelay(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/**
 * Work in flight outside the fake clock's control, such as queries on a socket to a real server.
 * The fake clock waits for it, in real time and bounded, wherever it would otherwise decide that
 * nothing more can happen at this instant, so real I/O takes no virtual time, as pg-mem's does.
 */
export interface ExternalWork {
  /** Named in the reason when the work does not finish, e.g. `the PostgreSQL server at 127.0.0.1:5432`. */
  readonly name: string;
  /** Real-time bound on one wait, ms. */
  readonly timeoutMs: number;
  /** Settles once the work in flight now has finished; null when none is. */
  pending(): Promise<unknown> | null;
}

export type Quiet = { readonly ok: true; readonly waited: boolean } | Exclude<Settled, { ok: true }>;

const quietAtOnce: Quiet = { ok: true, waited: false };

/**
 * Waits until `work` has nothing in flight, letting the microtasks its completion queues run in
 * between (they may start more work). Fails with the work's name once the real-time bound passes.
 */
export async function waitForExternal(work: ExternalWork, virtualNow: () => number): Promise<Quiet> {
  let pending = work.pending();
  if (pending === null) return quietAtOnce;
  const deadline = realNow() + work.timeoutMs;
  while (pending !== null) {
    const finished = await within(pending, deadline - realNow());
    if (!finished) {
      return { ok: false, reason: `${work.name} did not answer within ${work.timeoutMs / 1000} s of real time (at ${virtualNow()} ms of virtual time)` };
    }
    await drain();
    pending = work.pending();
  }
  return { ok: true, waited: true };
}

/** Whether `promise` settles within `ms` of real time; the timer is cleared either way. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms <= 0) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = realSetTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), expired]);
  } finally {
    realClearTimeout(timer);
  }
}
