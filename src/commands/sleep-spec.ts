import fc from 'fast-check';
import type { ModelState } from '../model/state.js';
import { timeoutPollMs } from '../model/semantics.js';
import { windowOf } from '../model/windows.js';

/**
 * How long a sleep lasts. Uniform random sleeps miss off-by-one expiry bugs for hundreds of runs,
 * so most sleeps are drawn relative to a pending deadline of the model (one before, at, one
 * after). The spec is resolved against the model when the command runs, since fast-check draws
 * commands before any model exists.
 */
export type SleepSpec =
  | { readonly kind: 'deadline'; readonly pick: number; readonly offset: -1 | 0 | 1 }
  | { readonly kind: 'fixed'; readonly ms: number };

export const sleepSpecArb: fc.Arbitrary<SleepSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deadline' as const), pick: fc.nat(7), offset: fc.constantFrom(0 as const, -1 as const, 1 as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fixed' as const), ms: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 600_000 })) }) },
);

/** The moments ahead where the model expects something to change: every window's edges, every waiter's timeout, every connect in flight, every retry of a failed connect. */
export function pendingDeadlines(state: ModelState): number[] {
  const edges = new Set<number>();
  // A polled timeout's window ends one interval after the deadline.
  const poll = timeoutPollMs(state.semantics);
  for (const waiter of state.waiters) {
    if (waiter.deadline === null) continue;
    if (waiter.deadline > state.now) edges.add(waiter.deadline);
    if (poll > 0 && waiter.deadline + poll > state.now) edges.add(waiter.deadline + poll);
  }
  for (const connect of state.connecting) {
    // A connect's own timer past its landing never fires: the landing clears it.
    const abandonAt = connect.abandonAt !== null && connect.abandonAt <= connect.readyAt ? connect.abandonAt : null;
    for (const at of [connect.readyAt, connect.deadline, abandonAt]) if (at !== null && at > state.now) edges.add(at);
    if (poll > 0 && connect.deadline !== null && connect.deadline + poll > state.now) edges.add(connect.deadline + poll);
  }
  for (const check of state.validating) if (check.readyAt > state.now) edges.add(check.readyAt);
  // A failed connect's retry: one a pool makes early or late is caught at its edge.
  for (const retry of state.retryTimers ?? []) if (retry.at > state.now) edges.add(retry.at);
  for (const conn of state.conns) {
    const window = windowOf(state, conn);
    if (window === null) continue;
    if (window.from > state.now) edges.add(window.from);
    if (window.to > state.now && Number.isFinite(window.to)) edges.add(window.to);
  }
  return [...edges].sort((a, b) => a - b);
}

export interface ResolvedSleep {
  readonly ms: number;
  readonly why: string;
}

export function resolveSleep(state: ModelState, spec: SleepSpec): ResolvedSleep {
  if (spec.kind === 'fixed') return { ms: spec.ms, why: '' };
  const deadlines = pendingDeadlines(state);
  const target = deadlines[spec.pick % Math.max(1, deadlines.length)];
  // Nothing pending: a short sleep still lets the loop run.
  if (target === undefined) return { ms: spec.pick + 1, why: 'no deadline pending' };
  const ms = Math.max(0, target - state.now + spec.offset);
  const sign = spec.offset === 0 ? '' : spec.offset < 0 ? ' − 1' : ' + 1';
  return { ms, why: `deadline ${target} ms${sign}` };
}

export function describeSpec(spec: SleepSpec): string {
  if (spec.kind === 'fixed') return `${spec.ms}`;
  const sign = spec.offset === 0 ? '' : spec.offset < 0 ? ' − 1' : ' + 1';
  return `deadline[${spec.pick}]${sign}`;
}
