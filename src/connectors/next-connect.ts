import type { ConnectorEvent } from './types.js';

/** How `connect-began` names the faults its connect took: `delay 0 ms, fails` is one refused at once. */
export function faultsTaken(delay: number, fail: boolean): string {
  return fail ? `delay ${delay} ms, fails` : `delay ${delay} ms`;
}

/**
 * The faults injected for the next connect, which that connect takes: a delay on the run's clock,
 * then a refusal. Shared by the connectors, so that a fault means the same whatever the server.
 */
export class NextConnectFaults {
  private fail = false;
  private delay = 0;

  failNextConnect(): void {
    this.fail = true;
  }

  delayNextConnect(ms: number): void {
    this.delay = ms;
  }

  /**
   * Applies the faults to the connect that calls it, and clears them: logs `connect-began` (so
   * the runner learns the instant a connect the pool began on its own took the fault), waits out
   * the delay (the global setTimeout, looked up now, is the run's fake clock), then, if asked,
   * logs `connect-failed` and throws the refusal, naming the connector.
   */
  async take(connector: string, log: (event: ConnectorEvent) => void, now: () => number): Promise<void> {
    const { fail, delay } = this;
    this.fail = false;
    this.delay = 0;
    if (fail || delay > 0) log({ type: 'connect-began', id: 0, at: now(), sql: faultsTaken(delay, fail) });
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (fail) {
      log({ type: 'connect-failed', id: 0, at: now() });
      throw new Error(`poolcheck ${connector} connector: connect failed (injected fault: the server refused the connection)`);
    }
  }
}
