/**
 * A property violation: the pool under test did something the declared semantics rule out.
 * Violations are values; only the edges (the vitest helper, the CLI) turn them into failures.
 */
export type ViolationKind =
  | 'outlived'
  | 'expired-early'
  | 'destroyed-in-use'
  | 'destroyed-unexpectedly'
  | 'destroyed-twice'
  | 'floor-broken'
  | 'wrong-connection'
  | 'handed-out-destroyed'
  | 'handed-out-twice'
  | 'unexpected-create'
  | 'count-mismatch'
  | 'over-max'
  | 'changed-while-blocked'
  | 'not-settled'
  | 'pool-error'
  | 'close-incomplete'
  | 'timer-left-pending'
  | 'leaked-connection'
  /** A real server lists other backends for the run than the connector holds open. */
  | 'server-disagrees'
  | 'not-discarded'
  | 'kept-broken'
  | 'waiter-not-served'
  | 'waiter-answered-early'
  | 'served-after-timeout'
  | 'timeout-missed'
  | 'waiter-not-rejected'
  | 'acquire-not-rejected'
  /** The pool declares that it refuses a lifetime of 0, and was created with one. */
  | 'zero-lifetime-accepted'
  /** The pool did not open connections back up to min when its declared refill called for it. */
  | 'min-not-refilled'
  /** A connect abandoned by its timed-out acquire landed, and the pool kept the connection. */
  | 'abandoned-kept';

export interface Violation {
  readonly kind: ViolationKind;
  /** Virtual time at which it was seen. */
  readonly at: number;
  readonly message: string;
  readonly connectionId?: number;
}

export function violation(kind: ViolationKind, at: number, message: string, connectionId?: number): Violation {
  return connectionId === undefined ? { kind, at, message } : { kind, at, message, connectionId };
}
