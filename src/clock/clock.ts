import type { WakePhase } from '../model/handoff.js';

export type { WakePhase } from '../model/handoff.js';

/**
 * The clock seam. Commands move time only through this interface, so a pool in another process or
 * language can bring its own virtual clock behind it. Times are ms since the run started.
 */
export interface VirtualClock {
  /** Virtual ms since the run started. */
  now(): number;
  /**
   * The loop runs for `ms`: timers fire on time, in due order, with promise continuations running
   * between them, as on Node's event loop.
   */
  sleep(ms: number): Promise<Settled>;
  /**
   * The loop is blocked for `ms`: time passes and nothing runs. Synchronous code may run in the
   * block (it is the code that blocks); call `wake()` to let the loop go on.
   */
  blockSync(ms: number): void;
  /**
   * The blocked loop goes on: work the caller queued synchronously (microtasks, nextTicks) runs
   * first, then every timer that came due during the block fires once, in due order, at the
   * current time. `phase` (default `timers`) is where the loop goes next, which orders those timers
   * against the immediates queued so far: after them in `io`, before them in `timers` (see
   * `WakePhase`). A clock that cannot order a phase does not list it in `wakePhases`.
   */
  wake(phase?: WakePhase): Promise<Settled>;
  /**
   * The phases `wake` can order as Node does; a blocking sleep draws only these. Left out: only
   * `timers`, the one every clock did before phases existed.
   */
  readonly wakePhases?: readonly WakePhase[];
  /**
   * Runs what is due now without moving time: promise continuations, immediates, timers due at
   * this instant. Stops as soon as `done()` holds and nothing is due, or when the bound is hit.
   * `quiet`: the caller settled the loop and has run no pool code since (only the model), so a
   * clock may skip its first drain; a clock may also ignore it.
   */
  settle(done?: () => boolean, quiet?: boolean): Promise<Settled>;
  /** Timers (of any kind) still scheduled. */
  pendingTimers(): number;
  /** Restores the real timers. Safe to call twice. */
  uninstall(): void;
}

export type Settled =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly error?: unknown;
      /** The loop went quiet, nothing due, with the awaited work still pending (not a busy loop). */
      readonly quiet?: true;
    };

export const settledOk: Settled = { ok: true };
