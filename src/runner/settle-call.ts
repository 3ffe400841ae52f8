import type { VirtualClock } from '../clock/clock.js';
import { violation, type ViolationKind } from '../model/violation.js';
import { PropertyViolationError } from './violation-error.js';

/*
 * A pool call settled under the fake clock, bounded, with a hang or a rejection as a violation: the
 * harness's settle, apart from the model. The seed scenario needs only this, and the command line
 * that runs it loads no more than it needs (the model is half of poolcheck's code).
 */

/** Calls into pools and settles each result on `clock` without moving time. */
export class CallSettler {
  constructor(readonly clock: VirtualClock) {}

  /**
   * Calls into the pool and settles the result without moving time. A synchronous throw counts as
   * a rejection; a pool that never settles fails (the harness's run records the step in its
   * trace), with `expected`, what the declared semantics say the call does now, where the model
   * predicted it.
   */
  async settle<T>(call: () => T | Promise<T>, what: string, expected?: string): Promise<T> {
    const promise = called(call);
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
    promise.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    );
    const settled = await this.clock.settle(() => outcome !== null);
    if (!settled.ok) this.fail('not-settled', `${what} did not settle: ${settled.reason}${expected === undefined ? '' : `; the declared semantics answer it now: it should ${expected}`}`);
    const result = outcome as { ok: true; value: T } | { ok: false; error: unknown } | null;
    if (result === null) this.fail('not-settled', `${what} did not settle`);
    if (!result.ok) this.fail('pool-error', `${what} failed: ${describeError(result.error)}`);
    return result.value;
  }

  fail(kind: ViolationKind, message: string, connectionId?: number): never {
    throw new PropertyViolationError(violation(kind, this.clock.now(), message, connectionId));
  }
}

/**
 * The call's result as a promise, a synchronous throw as a rejection. Unlike an async wrapper it
 * hands a pool's own promise on as it is, without one more promise per acquire.
 */
export function called<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
