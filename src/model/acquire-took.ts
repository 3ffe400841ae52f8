import { minOf } from './semantics.js';
import { owesRefill } from './refill.js';
import type { ModelState, TimerKey } from './state.js';
import { withState } from './copy.js';

/**
 * An acquire took its capacity: an idle connection, a new one, or the start of its own slow
 * connect. The first one opens the rest of min where the pool does that at the first acquire, and
 * each one refills where the pool refills at acquires; a pool does this as the acquire takes its
 * capacity, not when a slow connect lands (the own pool's `acquireTook`).
 */
export function acquireTookSlot(before: ModelState, cause = 'an acquire', seen: { readonly exact?: true; readonly timer?: TimerKey } = {}): ModelState {
  const first = !before.acquiredOnce;
  const state = first ? withState(before, { acquiredOnce: true }) : before;
  // `seen`: decided at a known point (as the acquire's check began, or in a timer's callback),
  // it opens the shortfall counted then.
  if (first && minOf(state.semantics).opens === 'first-acquire') return owesRefill(state, state.now, 'at-acquire', 'the first acquire', true, 0, seen);
  return owesRefill(state, state.now, 'at-acquire', cause, false, 0, seen);
}
