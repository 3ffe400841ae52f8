import { abortOf, brokenIdleOf, capabilitiesOf, closeRejectsWaitersOf, minOf, normalizeZeroLifetime, terminateRejectsWaiters, timeoutRulesOf, validationOf, type Semantics } from '../model/semantics.js';
import type { ViolationKind } from '../model/violation.js';

/**
 * The properties poolcheck checks after every command and at the end of every run, by the
 * violations that break each one. A summary lists them, so a reader sees what a pass covers.
 */
export interface PropertyInfo {
  readonly id: string;
  readonly title: string;
  readonly breaks: readonly ViolationKind[];
  /** Whether the property says anything about a pool with these semantics. */
  readonly appliesTo?: (semantics: Semantics) => boolean;
}

export const PROPERTIES: readonly PropertyInfo[] = [
  { id: 'expiry-window', title: 'idle connections expire in their window, never early', breaks: ['outlived', 'expired-early'] },
  { id: 'in-use-safe', title: 'a connection in use is never destroyed', breaks: ['destroyed-in-use'] },
  { id: 'hand-out', title: 'acquire follows the reuse order, never hands out a destroyed or busy connection', breaks: ['wrong-connection', 'handed-out-destroyed', 'handed-out-twice'] },
  { id: 'counters', title: 'idle size, size and waiting match the model', breaks: ['count-mismatch'] },
  { id: 'blocked-loop', title: 'nothing moves while the event loop is blocked', breaks: ['changed-while-blocked'] },
  { id: 'max-size', title: 'size never exceeds maxSize', breaks: ['over-max'] },
  { id: 'min-floor', title: 'expiry keeps minSize connections', breaks: ['floor-broken'], appliesTo: (s) => minOf(s).floor !== 'none' },
  { id: 'min-refill', title: 'the pool opens connections back up to minSize when and as it declares', breaks: ['min-not-refilled'], appliesTo: (s) => minOf(s).refill.length > 0 || minOf(s).opens === 'first-acquire' },
  { id: 'accounting', title: 'every open connection is accounted for, none opened unasked', breaks: ['leaked-connection', 'unexpected-create', 'destroyed-unexpectedly', 'server-disagrees'] },
  { id: 'close', title: 'close destroys every connection exactly once and leaves no timer', breaks: ['close-incomplete', 'destroyed-twice', 'timer-left-pending'] },
  { id: 'settles', title: 'every call settles, without error or hang', breaks: ['not-settled', 'pool-error'] },
  { id: 'waiters', title: 'a waiter is served first in first out, as soon as capacity frees up', breaks: ['waiter-not-served', 'waiter-answered-early'], appliesTo: (s) => capabilitiesOf(s).waiters },
  { id: 'timeouts', title: 'a timed-out waiter is rejected on time and never gets a connection', breaks: ['served-after-timeout', 'timeout-missed'], appliesTo: (s) => capabilitiesOf(s).waiters && capabilitiesOf(s).acquireTimeout !== null },
  { id: 'abandoned-connect', title: 'a connect abandoned by its timed-out acquire is closed as it lands', breaks: ['abandoned-kept'], appliesTo: (s) => capabilitiesOf(s).acquireTimeout !== null && timeoutRulesOf(s).covers === 'wait-and-connect' && timeoutRulesOf(s).lateConnect !== 'kept' },
  { id: 'failed-connect', title: 'a failed connect rejects its acquire, or is retried for it, and frees its capacity', breaks: ['acquire-not-rejected'], appliesTo: (s) => capabilitiesOf(s).failedConnect !== false },
  { id: 'discard', title: 'a discarded connection is closed at once and its capacity reused', breaks: ['not-discarded'], appliesTo: (s) => capabilitiesOf(s).destroy },
  { id: 'broken-idle', title: 'a broken idle connection is dropped at once and never handed out', breaks: ['kept-broken'], appliesTo: (s) => brokenIdleOf(s) === 'dropped' },
  { id: 'abort', title: 'an aborted acquire is rejected at once, never served, and what it would have had goes on', breaks: ['abort-missed', 'served-after-abort', 'kept-abandoned'], appliesTo: (s) => abortOf(s) !== null },
  { id: 'validation', title: 'a connection that fails its validation is closed at once, never handed out', breaks: ['handed-out-invalid', 'kept-invalid'], appliesTo: (s) => validationOf(s) !== 'none' },
  { id: 'zero-lifetime', title: 'a pool that refuses a lifetime of 0 fails to create, and leaves nothing open', breaks: ['zero-lifetime-accepted'], appliesTo: (s) => normalizeZeroLifetime(s.zeroLifetime) === 'create-fails' },
  { id: 'close-waiters', title: 'close and terminate reject the acquires still waiting', breaks: ['waiter-not-rejected'], appliesTo: (s) => closeRejectsWaitersOf(s) !== 'never' || terminateRejectsWaiters(s) },
];

export function propertyOf(kind: ViolationKind): PropertyInfo {
  const found = PROPERTIES.find((p) => p.breaks.includes(kind));
  if (found === undefined) throw new Error(`poolcheck: violation kind '${kind}' belongs to no property`);
  return found;
}
