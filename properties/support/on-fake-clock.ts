import { installFakeClock, type FakeVirtualClock } from '../../src/clock/fake.js';
import { createPgMemConnector } from '../../src/connectors/pgmem.js';
import type { Connector } from '../../src/connectors/types.js';

/** Runs `body` on a fresh fake clock and a pg-mem connector stamped by it; always uninstalls. */
export async function onFakeClock(body: (clock: FakeVirtualClock, connector: Connector) => Promise<void>): Promise<void> {
  const clock = installFakeClock();
  try {
    await body(clock, createPgMemConnector({ now: () => clock.now() }));
  } finally {
    clock.uninstall();
  }
}

/** Settles a pool call without moving time, or fails the test. */
export async function settled<T>(clock: FakeVirtualClock, call: T | Promise<T>): Promise<T> {
  let outcome: { value: T } | { error: unknown } | null = null;
  Promise.resolve(call).then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  const result = await clock.settle(() => outcome !== null);
  if (!result.ok) throw new Error(`did not settle: ${result.reason}`);
  const done = outcome as { value: T } | { error: unknown } | null;
  if (done === null || 'error' in done) throw done === null ? new Error('did not settle') : done.error;
  return done.value;
}

/** The outcome of a pool call, read at any time without waiting for it: pending, served or the error's message. */
export function watch(call: Promise<unknown>): { readonly now: string } {
  const state = { now: 'pending' };
  call.then(
    () => (state.now = 'served'),
    (error: unknown) => (state.now = `rejected: ${error instanceof Error ? error.message : String(error)}`),
  );
  return state;
}

/**
 * Each connector event as `type #id at ms`, for comparing whole logs: what the pool did, so not
 * the `connect-began` that marks a connect taking the fault the test injected.
 */
export function eventLog(connector: Connector): string[] {
  return connector.events.filter((e) => e.type !== 'connect-began').map((e) => `${e.type} #${e.id} at ${e.at}`);
}
