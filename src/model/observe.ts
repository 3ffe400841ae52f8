import { idleCount, sizeOf, type ModelState } from './state.js';

/** The counters a pool reports, as the model expects them. */
export interface Counters {
  readonly idle: number;
  readonly size: number;
  readonly waiting: number;
}

export function expectedCounters(state: ModelState): Counters {
  return { idle: idleCount(state), size: sizeOf(state), waiting: state.waiters.length };
}

export function formatCounters(c: Counters): string {
  return `idle=${c.idle} size=${c.size} waiting=${c.waiting}`;
}

/** Ids of connections the model holds as in use, for commands that pick one. */
export function busyIds(state: ModelState): number[] {
  // Every command that picks one asks for its precondition, drawn or not: one pass, one array.
  const ids: number[] = [];
  for (const c of state.conns) if (c.state === 'busy') ids.push(c.id);
  return ids;
}
