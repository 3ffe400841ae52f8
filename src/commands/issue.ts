import { acquiresIssued } from '../model/waiters.js';
import type { Harness, ModelBox } from '../runner/harness.js';

/**
 * Issues `count` acquires together, in one synchronous burst, and ends the step once the loop has
 * answered the ones the model says it answers now. The rest wait; a later step answers them.
 * Shared by a single acquire and a burst.
 */
export async function issueAcquires(m: ModelBox, h: Harness, count: number, command: { toString(): string }): Promise<void> {
  const guess = acquiresIssued(m.state, count);
  const tickets = guess.tickets;
  for (const ticket of tickets) h.issue(ticket);
  const answered = guess.state.answers.map((a) => a.ticket);
  await h.settleCalls(answered, count === 1 ? 'acquire()' : `${count} acquires`, true, false, guess.state.answers);
  // Which of several interchangeable idle connections the pool validated is learnt from the log;
  // who is answered does not depend on it.
  const validated = h.validatedSinceStep();
  const state = validated.length === 0 ? guess.state : acquiresIssued(m.state, count, validated).state;
  // Said in the trace, which only a recording run keeps.
  const observed = h.record ? tickets.map((t) => describeCall(h, t)).join(', ') : undefined;
  h.finishStep(m, { command, observed, next: state });
}

function describeCall(h: Harness, ticket: number): string {
  const outcome = h.calls.get(ticket)?.outcome ?? null;
  if (outcome === null) return `#${ticket} waits`;
  if (!outcome.ok) return `#${ticket} rejected`;
  return `#${ticket} got #${h.adapter.connectionId(outcome.value)}`;
}
