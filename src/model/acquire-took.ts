import { connectServesOf, minOf } from './semantics.js';
import { owesRefill } from './refill.js';
import type { Answer, ModelState, TimerKey } from './state.js';
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

/**
 * Waiters served as a timer fired (handed a refill's connection as it landed, or given the
 * capacity a failed connect freed) took their slot then: the pool sets off what an acquire does
 * in the microtasks after that timer's callback, before the next timer at that instant (the own
 * pool's `acquireTook`, run as the waiter's `acquire()` resumes), not when the step ends. An
 * acquire that was not waiting (its own connect, or its check, in flight) took its slot before.
 * `timer`: the due time and order of the timer that fired, left out where it has none.
 */
export function tookAsTimerFired(before: ModelState, after: ModelState, timer: TimerKey | undefined): ModelState {
  const from = before.answers.length;
  if (after.answers.length === from || before.waiters.length === 0 || connectServesOf(after.semantics) !== 'its-acquire') return after;
  const min = minOf(after.semantics);
  if (!min.refill.includes('at-acquire') && min.opens !== 'first-acquire') return after;
  let took = after;
  for (let i = from; i < after.answers.length; i++) {
    const a = after.answers[i] as Answer;
    if (a.outcome !== 'served' || a.tookSlot === true || !before.waiters.some((w) => w.ticket === a.ticket)) continue;
    took = acquireTookSlot(took, `the acquire of #${a.ticket}`, timer === undefined ? { exact: true } : { timer });
    took = withState(took, { answers: took.answers.map((x, j) => (j === i ? { ...a, tookSlot: true as const } : x)) });
  }
  return took;
}
