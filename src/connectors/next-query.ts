import type { ConnectorEvent } from './types.js';

/**
 * The faults injected for the next query and the next validation, on whichever connection runs
 * one first. Shared by the connectors, so that a fault means the same whatever the server.
 */
export class NextQueryFaults {
  private failValidation = false;
  private delay = 0;

  failNextValidation(): void {
    this.failValidation = true;
  }

  delayNextQuery(ms: number): void {
    this.delay = ms;
  }

  /**
   * Waits out the delay for the next query, if one is set, and clears it (the global setTimeout,
   * looked up now, is the run's fake clock).
   */
  async takeDelay(): Promise<void> {
    const delay = this.delay;
    this.delay = 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }

  /**
   * Logs the start of a validation of connection `id` and says whether it is to fail, clearing
   * the fault: which validation fails is fixed when it begins, as the model predicts it.
   */
  takeValidation(id: number, log: (event: ConnectorEvent) => void, now: () => number): boolean {
    const fails = this.failValidation;
    this.failValidation = false;
    log({ type: 'validate', id, at: now(), ...(fails ? { sql: 'invalid' } : {}) });
    return !fails;
  }
}
