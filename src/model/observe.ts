import { busyConns, idleConns, sizeOf, type ModelState } from './state.js';

/** The counters a pool reports, as the model expects them. */
export interface Counters {
  readonly idle: number;
  readonly size: number;
  readonly waiting: number;
}

export function expectedCounters(state: ModelState): Counters {
    return { idle: idleConns(state).length, size: sizeOf(state), waiting: state.waiters.length };
}

export function formatCounters(c: Counters): string {
  return `idle=${c.idle} size=${c.size} waiting=${c.waiting}`;
}

/** Ids of connections the model holds as in use, for commands that pick one. */
export function busyIds(state: ModelState): number[] {
  return busyConns(state).map((c) => c.id);
}
