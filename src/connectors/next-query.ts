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
   * looked up now, is the run's fake clock). `inFlight`, the connection's, cuts it short when the
   * connection closes.
   */
  async takeDelay(inFlight?: DelaysInFlight): Promise<void> {
    const delay = this.delay;
    this.delay = 0;
    if (delay > 0) await (inFlight ?? new DelaysInFlight()).wait(delay);
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

/**
 * The delays of one connection's queries in flight. A connection closed while a query is in
 * flight ends that query at once, as a real client does ("Connection terminated"): no timer of
 * the connector outlives the connection the pool closed.
 */
export class DelaysInFlight {
  private readonly cuts = new Set<() => void>();

  /** Waits `ms` of the run's clock, or until {@link DelaysInFlight.cutAll}. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cut = (): void => {
        clearTimeout(timer);
        this.cuts.delete(cut);
        resolve();
      };
      const timer = setTimeout(cut, ms);
      this.cuts.add(cut);
    });
  }

  /** The connection closed: every delay in flight ends now. */
  cutAll(): void {
    for (const cut of [...this.cuts]) cut();
  }
}
