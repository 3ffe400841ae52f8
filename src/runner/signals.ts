import { getEventListeners } from 'node:events';

/*
 * The abort controllers of a thread's runs. Each acquire of a pool that declares aborts gets a
 * signal of its own, and Node 20 takes microseconds to make one (about a twentieth of a `check()`
 * on the own pool, whose every acquire listens on its signal). So a controller whose acquire was
 * answered goes back to a spare list, and a later acquire gets it, but only when nothing can tell
 * it from a new one: it was never aborted, and the pool left no listener on its signal. A signal
 * the pool still listens on (a pool that forgets to remove its listener) is never handed out again,
 * so what that pool does is what it would do with a fresh signal per acquire.
 */

/** Enough for the acquires one run has in flight at once; more are left to the collector. */
const KEPT = 64;
const spare: AbortController[] = [];

/** A controller for a new acquire: a spare one, or a new one. */
export function takeController(): AbortController {
  return spare.pop() ?? new AbortController();
}

/** The acquire `controller` was made for is answered: it is spare again, if nothing can tell it from a new one. */
export function controllerDone(controller: AbortController): void {
  if (spare.length >= KEPT || controller.signal.aborted || getEventListeners(controller.signal, 'abort').length > 0) return;
  spare.push(controller);
}
