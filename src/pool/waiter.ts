import type { Connection } from '../connectors/types.js';
import type { Slot } from './slot.js';

/**
 * An acquire queued for a free slot. It is settled exactly once: granted a slot, timed out, or
 * rejected by close/terminate. The timeout uses the global `setTimeout` looked up at call time,
 * so a fake clock installed after import still controls it.
 */
export class Waiter<C extends Connection = Connection> {
  readonly promise: Promise<Slot<C>>;
  private resolve!: (slot: Slot<C>) => void;
  private reject!: (error: Error) => void;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /**
   * When its timeout comes (`Date.now()` time), for a pool that polls for timeouts instead of
   * arming a timer per waiter; `null` without a timeout.
   */
  readonly deadline: number | null;

  /** `polled`: the pool's poll loop rejects it, so it arms no timer of its own. */
  constructor(readonly timeoutMs: number | undefined, onTimeout: (waiter: Waiter<C>) => Error, polled = false) {
    this.promise = new Promise<Slot<C>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.deadline = timeoutMs === undefined ? null : Date.now() + timeoutMs;
    if (timeoutMs !== undefined && !polled) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.reject(onTimeout(this));
      }, timeoutMs);
    }
  }

  grant(slot: Slot<C>): void {
    this.stopTimer();
    this.resolve(slot);
  }

  fail(error: Error): void {
    this.stopTimer();
    this.reject(error);
  }

  private stopTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
