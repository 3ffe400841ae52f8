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
  // Asked by most sleeps: edges go in a plain list, sorted and made unique once at the end.
  const edges: number[] = [];
  const now = state.now;
  // A polled timeout's window ends one interval after the deadline.
  const poll = timeoutPollMs(state.semantics);
  for (const waiter of state.waiters) {
    if (waiter.deadline === null) continue;
    if (waiter.deadline > now) edges.push(waiter.deadline);
    if (poll > 0 && waiter.deadline + poll > now) edges.push(waiter.deadline + poll);
  }
  for (const connect of state.connecting) {
    // A connect's own timer past its landing never fires: the landing clears it.
    const abandonAt = connect.abandonAt !== null && connect.abandonAt <= connect.readyAt ? connect.abandonAt : null;
    if (connect.readyAt > now) edges.push(connect.readyAt);
    if (connect.deadline !== null && connect.deadline > now) edges.push(connect.deadline);
    if (abandonAt !== null && abandonAt > now) edges.push(abandonAt);
    if (poll > 0 && connect.deadline !== null && connect.deadline + poll > now) edges.push(connect.deadline + poll);
  }
  for (const check of state.validating) if (check.readyAt > now) edges.push(check.readyAt);
  // A failed connect's retry: one a pool makes early or late is caught at its edge.
  for (const retry of state.retryTimers ?? []) if (retry.at > now) edges.push(retry.at);
  for (const conn of state.conns) {
    const window = windowOf(state, conn);
    if (window === null) continue;
    if (window.from > now) edges.push(window.from);
    if (window.to > now && Number.isFinite(window.to)) edges.push(window.to);
  }
  edges.sort((a, b) => a - b);
  let unique = 0;
  for (const edge of edges) if (unique === 0 || edge !== edges[unique - 1]) edges[unique++] = edge;
  edges.length = unique;
  return edges;
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
  return new DeadlineSleep(Math.max(0, target - state.now + spec.offset), target, spec.offset);
}

/** A sleep to a deadline: its reason is put in words only for a trace, which most runs never print. */
class DeadlineSleep implements ResolvedSleep {
  constructor(
    readonly ms: number,
    private readonly target: number,
    private readonly offset: -1 | 0 | 1,
  ) {}

  get why(): string {
    const sign = this.offset === 0 ? '' : this.offset < 0 ? ' − 1' : ' + 1';
    return `deadline ${this.target} ms${sign}`;
  }
}

export function describeSpec(spec: SleepSpec): string {
  if (spec.kind === 'fixed') return `${spec.ms}`;
  const sign = spec.offset === 0 ? '' : spec.offset < 0 ? ' − 1' : ' + 1';
  return `deadline[${spec.pick}]${sign}`;
}
