import { withState } from './copy.js';
import type { ModelConn, ModelState } from './state.js';

/*
 * A pool with a floor and a reaper closes and reopens connections all run long: a run of
 * generic-pool's with its evictor has closed about ninety connections by its average step. Every
 * step walks `conns` several times (windows, counts, copies), and a connection gone before the
 * step's instant takes part in none of it: no window, no count, no order. Those leave `conns` as
 * a step ends, for `retired`, where only `findConn` looks for them (a connection handed out or
 * destroyed again after it went). One gone at the step's own instant stays a step longer: a
 * landing logged at that instant in the next step still counts the closes made at it.
 */

/** The state with every connection gone before `state.now` moved from `conns` to `retired`. */
export function retireGone(state: ModelState): ModelState {
  let gone = 0;
  for (const c of state.conns) if (retirable(c, state.now)) gone++;
  if (gone === 0) return state;
  const conns: ModelConn[] = [];
  const retired: ModelConn[] = state.retired === undefined ? [] : state.retired.slice();
  for (const c of state.conns) (retirable(c, state.now) ? retired : conns).push(c);
  return withState(state, { conns, retired });
}

function retirable(c: ModelConn, now: number): boolean {
  return c.state === 'gone' && c.goneAt !== null && c.goneAt < now;
}

/** The retired connection with this id, if any. */
export function retiredConn(retired: readonly ModelConn[], id: number): ModelConn | undefined {
  for (const c of retired) if (c.id === id) return c;
  return undefined;
}

/** `retired` with the connection of `next`'s id replaced by it. */
export function replaceRetired(retired: readonly ModelConn[], next: ModelConn): readonly ModelConn[] {
  return retired.map((c) => (c.id === next.id ? next : c));
}
