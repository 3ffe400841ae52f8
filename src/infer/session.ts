import type { PoolAdapter } from '../adapters/types.js';
import type { VirtualClock } from '../clock/clock.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { Connector, ConnectorEvent } from '../connectors/types.js';
import type { PoolConfig } from '../model/semantics.js';
import { openRuntime } from '../runner/runtime.js';

/** A probe step the pool did not complete: the observation a probe reports instead of a value. */
export class ProbeStop extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeStop';
  }
}

/** An acquire issued and not awaited; `outcome` is filled in when the pool answers. */
export interface Pending {
  outcome: { readonly ok: true; readonly id: number } | { readonly ok: false; readonly error: string } | null;
}

/**
 * Measurement, beside the oracle: one pool under the fake clock with the pg-mem connector, driven
 * step by step, with the connector's log (creates and destroys, at virtual times) and what each
 * acquire returned as the observations. Used where a probe needs numbers the model cannot give
 * (a reaper's interval and phase), or where it must react to what it sees. Never moves real time.
 */
export class ProbeSession {
  private readonly lent = new Map<number, unknown>();

  private constructor(
    readonly adapter: PoolAdapter,
    readonly pool: unknown,
    readonly clock: VirtualClock,
    readonly connector: Connector,
  ) {}

  /**
   * Runs `body` against a fresh pool made with `config`, and always ends the pool and the clock.
   * A pool whose `create` fails yields `{ created: false, error }`, with what it left behind.
   */
  static async with<T>(adapter: PoolAdapter, config: PoolConfig, body: (s: ProbeSession) => Promise<T>): Promise<{ created: true; value: T } | { created: false; error: string; leftOpen: number[]; timersLeft: number }> {
    const runtime = await openRuntime(adapter, createPgMemConnector);
    let session: ProbeSession | null = null;
    try {
      const made = await settleOn(runtime.clock, () => adapter.create({ config, connector: runtime.connector }));
      // A refused create must leave nothing behind: no connection open, no timer pending.
      if (!made.ok) return { created: false, error: made.error, leftOpen: runtime.connector.liveIds(), timersLeft: runtime.clock.pendingTimers() };
      session = new ProbeSession(adapter, made.value, runtime.clock, runtime.connector);
      return { created: true, value: await body(session) };
    } finally {
      if (session !== null) {
        const pool = session.pool;
        await settleOn(runtime.clock, () => adapter.terminate(pool)).catch(() => undefined);
      }
      await runtime.end();
    }
  }

  now(): number {
    return this.clock.now();
  }

  get events(): readonly ConnectorEvent[] {
    return this.connector.events;
  }

  /** Ids of the connections created so far, in order. */
  created(): number[] {
    return this.events.filter((e) => e.type === 'create').map((e) => e.id);
  }

  /** When connection `id` was first destroyed, or null. */
  destroyedAt(id: number): number | null {
    return this.events.find((e) => e.type === 'destroy' && e.id === id)?.at ?? null;
  }

  /** Acquires and waits for the answer without moving time; a rejection or a hang stops the probe. */
  async acquire(): Promise<number> {
    const pending = this.issue();
    await this.clock.settle(() => pending.outcome !== null);
    if (pending.outcome === null) throw new ProbeStop(`an acquire at ${this.now()} ms did not settle without time passing`);
    if (!pending.outcome.ok) throw new ProbeStop(`an acquire at ${this.now()} ms was rejected: ${pending.outcome.error}`);
    return pending.outcome.id;
  }

  /** Issues an acquire and returns at once; the answer lands in `outcome`. */
  issue(): Pending {
    const pending: Pending = { outcome: null };
    (async () => this.adapter.acquire(this.pool))().then(
      (conn) => {
        const id = this.adapter.connectionId(conn);
        this.lent.set(id, conn);
        pending.outcome = { ok: true, id };
      },
      (error: unknown) => (pending.outcome = { ok: false, error: error instanceof Error ? error.message : String(error) }),
    );
    return pending;
  }

  async release(id: number): Promise<void> {
    const conn = this.lent.get(id);
    if (conn === undefined) throw new ProbeStop(`connection #${id} is not lent out`);
    this.lent.delete(id);
    const done = await settleOn(this.clock, () => this.adapter.release(this.pool, conn));
    if (!done.ok) throw new ProbeStop(`release(#${id}) at ${this.now()} ms failed: ${done.error}`);
  }

  /**
   * Discards connection `id` through the adapter's `destroy` and returns at once, without waiting
   * for the pool to finish (a close may take time: see `delayNextClose`).
   */
  discard(id: number): void {
    const conn = this.lent.get(id);
    const destroy = this.adapter.destroy;
    if (conn === undefined) throw new ProbeStop(`connection #${id} is not lent out`);
    if (destroy === undefined) throw new ProbeStop('the adapter has no destroy(pool, conn) method');
    this.lent.delete(id);
    (async () => destroy(this.pool, conn))().catch(() => undefined);
  }

  /** The loop runs for `ms`: timers fire on time. */
  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    const slept = await this.clock.sleep(ms);
    if (!slept.ok) throw new ProbeStop(`sleep(${ms}) at ${this.now()} ms: ${slept.reason}`);
  }

  /** Sleeps to virtual time `t`. */
  async sleepUntil(t: number): Promise<void> {
    await this.sleep(t - this.now());
  }

  /**
   * Sleeps in `step` ms chunks until `done()` holds or `horizon` ms have passed. Returns whether
   * `done()` held.
   */
  async sleepUntilDone(done: () => boolean, step: number, horizon: number): Promise<boolean> {
    const until = this.now() + horizon;
    while (!done() && this.now() < until) await this.sleep(Math.min(step, until - this.now()));
    return done();
  }

  pendingTimers(): number {
    return this.clock.pendingTimers();
  }
}

/** Calls into the pool and lets the loop settle without moving time. */
async function settleOn<T>(clock: VirtualClock, call: () => T | Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
  let outcome: { ok: true; value: T } | { ok: false; error: string } | null = null;
  (async () => call())().then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
  await clock.settle(() => outcome !== null);
  return outcome ?? { ok: false, error: 'did not settle without time passing' };
}
