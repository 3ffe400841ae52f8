import type { PoolAdapter, PoolCounters } from '../adapters/types.js';
import type { VirtualClock } from '../clock/clock.js';
import type { Connector } from '../connectors/types.js';
import { formatCounters, expectedCounters } from '../model/observe.js';
import { reconcile, type Destroyed, type Opened } from '../model/reconcile.js';
import type { ModelState } from '../model/state.js';
import { violation, type Violation, type ViolationKind } from '../model/violation.js';
import { stepInvariants } from './invariants.js';
import type { TraceStep } from './trace.js';
import { PropertyViolationError } from './violation-error.js';
import type { Describable } from '../commands/json.js';

/** fast-check's model: a box around the immutable model state, so commands can replace it. */
export interface ModelBox {
  state: ModelState;
}

/**
 * The real side of one run: the pool under test, its connector and clock, the handles of
 * connections in use, and the trace. Commands act through it and end with `finishStep`.
 */
export class Harness<P = unknown, C = unknown> {
  readonly handles = new Map<number, C>();
  readonly trace: TraceStep[] = [];
  /** Commands started, not counting the harness's own steps (creating and closing the pool). */
  commandsRun = 0;
  /** The commands started, in order, when recording. */
  readonly begun: Describable[] = [];
  /** The command being run, so a violation thrown mid-command still lands in the trace. */
  current: { toString(): string } | null = null;
  private eventMark = 0;
  private carriedCreates: Opened[] = [];

  constructor(
    readonly adapter: PoolAdapter<P, C>,
    readonly pool: P,
    readonly clock: VirtualClock,
    readonly connector: Connector,
    /**
     * Whether to keep a trace. Passing runs need none, and formatting every step would cost more
     * than the step; a failure is replayed with recording on.
     */
    readonly record = false,
  ) {}

  sample(): PoolCounters {
    return this.adapter.counters(this.pool);
  }

  /** Connector events since the last call. */
  takeEvents(): { created: Opened[]; destroyed: Destroyed[] } {
    const events = this.connector.events;
    const created = this.carriedCreates;
    const destroyed: Destroyed[] = [];
    for (let i = this.eventMark; i < events.length; i++) {
      const e = events[i]!;
      if (e.type === 'create') created.push({ id: e.id, at: e.at });
      else if (e.type === 'destroy') destroyed.push({ id: e.id, at: e.at });
    }
    this.eventMark = events.length;
    this.carriedCreates = [];
    return { created, destroyed };
  }

  /**
   * Destructions since the last call; creations are kept for the step's end. For a command that
   * must learn what expired before it can predict what an acquire gets.
   */
  takeDestroyed(): Destroyed[] {
    const { created, destroyed } = this.takeEvents();
    this.carriedCreates = created;
    return destroyed;
  }

  /**
   * Calls into the pool and settles the result without moving time. A synchronous throw counts as
   * a rejection; a pool that never settles fails with its trace.
   */
  async settle<T>(call: () => T | Promise<T>, what: string): Promise<T> {
    const promise = (async () => call())();
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
    promise.then(
      (value) => (outcome = { ok: true, value }),
      (error: unknown) => (outcome = { ok: false, error }),
    );
    const settled = await this.clock.settle(() => outcome !== null);
    if (!settled.ok) this.fail('not-settled', `${what} did not settle: ${settled.reason}`);
    const result = outcome as { ok: true; value: T } | { ok: false; error: unknown } | null;
    if (result === null) this.fail('not-settled', `${what} did not settle`);
    if (!result.ok) this.fail('pool-error', `${what} failed: ${describeError(result.error)}`);
    return result.value;
  }

  /** Lets the loop run what is due now; fails if it cannot. */
  async quiesce(): Promise<void> {
    const settled = await this.clock.settle();
    if (!settled.ok) this.fail('not-settled', settled.reason);
  }

  handle(id: number): C {
    const conn = this.handles.get(id);
    if (conn === undefined) throw new Error(`poolcheck harness: no handle for connection #${id}`);
    return conn;
  }

  /**
   * Ends a command: learns from the connector's log which connections went, checks every
   * invariant, records the step, and moves the model on. Throws a violation to fast-check.
   */
  finishStep(box: ModelBox, step: { command: { toString(): string }; predicted?: string; observed?: string; next: ModelState; expectCreated?: readonly number[] }): void {
    this.current = null;
    const events = this.takeEvents();
    const expected = step.expectCreated ?? [];
    // Opened for no acquire: the model accepts them only as a refill to the floor.
    const unasked = events.created.filter((e) => !expected.includes(e.id));
    const unopened = expected.filter((id) => !events.created.some((e) => e.id === id));
    const reconciled = reconcile({ ...step.next, now: this.clock.now() }, events.destroyed, unasked);
    const state = reconciled.state;
    const observed = this.sample();
    const found: Violation | null =
      unopened.length > 0
        ? violation('wrong-connection', state.now, `acquire returned connection #${unopened[0]}, which the connector never opened in this run`, unopened[0])
        : reconciled.violations[0] ?? firstInvariantViolation(state, observed, this.connector.liveIds());
    if (this.record) {
      this.trace.push({
        index: this.trace.length,
        command: String(step.command),
        at: state.now,
        predicted: [step.predicted, formatCounters(expectedCounters(state))].filter(Boolean).join('; '),
        observed: [step.observed, formatCounters({ waiting: 0, ...observed })].filter(Boolean).join('; '),
        ...(found === null ? {} : { violation: found.message }),
      });
    }
    box.state = state;
    if (found !== null) throw new PropertyViolationError(found);
  }

  /** Marks the start of a command. */
  begin(command: Describable): void {
    this.current = command;
    this.commandsRun++;
    if (this.record) this.begun.push(command);
  }

  /** Records a step that failed before it could finish, for the trace. */
  recordFailure(error: PropertyViolationError): void {
    if (this.current === null || !this.record) return;
    this.trace.push({ index: this.trace.length, command: String(this.current), at: this.clock.now(), predicted: '', observed: '', violation: error.violation.message });
    this.current = null;
  }

  fail(kind: ViolationKind, message: string, connectionId?: number): never {
    throw new PropertyViolationError(violation(kind, this.clock.now(), message, connectionId));
  }
}

function firstInvariantViolation(state: ModelState, observed: PoolCounters, connectorLive: number[]): Violation | null {
  for (const invariant of stepInvariants) {
    const found = invariant.check({ state, observed, connectorLive });
    if (found !== null) return found;
  }
  return null;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
