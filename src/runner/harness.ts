import type { PoolAdapter, PoolCounters } from '../adapters/types.js';
import type { VirtualClock } from '../clock/clock.js';
import type { Connector, ConnectorEvent } from '../connectors/types.js';
import { faultsTaken } from '../connectors/next-connect.js';
import { formatCounters, expectedCounters } from '../model/observe.js';
import { reconcile, type Destroyed, type Opened } from '../model/reconcile.js';
import { abortOf, timeoutPollMs } from '../model/semantics.js';
import { findConn, type Answer, type DoomCause, type LearntInStep, type ModelState, type PollWindow, type Settled } from '../model/state.js';
import { acquired, connectFailedFor } from '../model/transitions.js';
import { answersTaken, stepEnded } from '../model/answers.js';
import { withState } from '../model/copy.js';
import { violation, type Violation } from '../model/violation.js';
import { stepInvariants } from './invariants.js';
import { handedOut, LifelineRecorder } from './lifelines.js';
import type { TraceStep } from './trace.js';
import { PropertyViolationError } from './violation-error.js';
import type { Describable } from '../commands/json.js';
import { controllerDone, takeController } from './signals.js';
import { CallSettler, called, describeError } from './settle-call.js';

/** fast-check's model: a box around the immutable model state, so commands can replace it. */
export interface ModelBox {
  state: ModelState;
}

/**
 * The real side of one run: the pool under test, its connector and clock, the handles of
 * connections in use, and the trace. Commands act through it and end with `finishStep`.
 */
export class Harness<P = unknown, C = unknown> extends CallSettler {
  readonly handles = new Map<number, C>();
  readonly trace: TraceStep[] = [];
  /** Commands started, not counting the harness's own steps (creating and closing the pool). */
  commandsRun = 0;
  /** The commands started, in order, when recording. */
  readonly begun: Describable[] = [];
  /** The command being run, so a violation thrown mid-command still lands in the trace. */
  current: { toString(): string } | null = null;
  /** Acquires issued and not yet answered, by ticket (their number in the run). */
  readonly calls = new Map<number, AcquireCall>();
  /** The abort controller of each acquire issued with a signal, by ticket. */
  readonly aborts = new Map<number, AbortController>();
  private eventMark = 0;
  private carried: { readonly created: readonly Opened[]; readonly began: readonly Opened[] } | null = null;
  private recorder: LifelineRecorder | null = null;

  constructor(
    readonly adapter: PoolAdapter<P, C>,
    readonly pool: P,
    clock: VirtualClock,
    readonly connector: Connector,
    /**
     * Whether to keep a trace. Passing runs need none, and formatting every step would cost more
     * than the step; a failure is replayed with recording on.
     */
    readonly record = false,
  ) {
    super(clock);
  }

  /** The lifelines of a recording run, made on first use so a passing run pays nothing. */
  lifelines(): LifelineRecorder {
    return (this.recorder ??= new LifelineRecorder());
  }

  sample(): PoolCounters {
    return this.adapter.counters(this.pool);
  }

  /**
   * Connector events since the last call. `began`: connects that took an injected fault, as they
   * began (the model learns when a pool began one on its own, see `reconcile`).
   */
  takeEvents(): StepEvents {
    const events = this.connector.events;
    // Most steps log nothing: they share one empty answer.
    if (this.eventMark === events.length && this.carried === null) return NO_EVENTS;
    const created = [...(this.carried?.created ?? NONE_OPENED)];
    const began = [...(this.carried?.began ?? NONE_OPENED)];
    const destroyed: Destroyed[] = [];
    for (let i = this.eventMark; i < events.length; i++) {
      const e = events[i]!;
      const last = created[created.length - 1];
      if (e.type === 'create') created.push({ id: e.id, at: e.at });
      // The log's order at one instant: what opened before a destruction, and not after it.
      else if (e.type === 'destroy') destroyed.push(last?.at === e.at ? { id: e.id, at: e.at, openedBefore: last.id } : { id: e.id, at: e.at });
      else if (e.type === 'connect-began') began.push({ id: e.id, at: e.at });
      else if (e.type === 'connect-failed' && !begunJustNow(events, i)) {
        // Timers due at one instant (a blocked loop's wake) fire in an order the log keeps: a
        // connect that failed after a destroy was still in flight when that destroy's refill was
        // decided, unless it began after it (a refill's own connect failing at once).
        for (let k = 0; k < destroyed.length; k++) if (destroyed[k]!.at === e.at) destroyed[k] = { ...destroyed[k]!, failuresAfter: (destroyed[k]!.failuresAfter ?? 0) + 1 };
      }
    }
    this.eventMark = events.length;
    this.carried = null;
    return { created, destroyed, began };
  }

  /**
   * The connections the pool validated since the last step ended, in order, from the connector's
   * log: among interchangeable idle connections the model learns which one the pool took.
   */
  validatedSinceStep(): number[] {
    const events = this.connector.events;
    const ids: number[] = [];
    for (let i = this.eventMark; i < events.length; i++) if (events[i]!.type === 'validate') ids.push(events[i]!.id);
    return ids;
  }

  /**
   * What a sleep's model learns from the connector's log (see `checkedInStep`): the connections
   * the pool validated since the last step ended, and those it opened and closed then, and when.
   */
  learntInStep(): LearntInStep {
    const events = this.connector.events;
    // Most sleeps log nothing: they share one empty answer.
    if (this.eventMark === events.length) return NOTHING_LEARNT;
    const checked: number[] = [];
    const opened: { id: number; at: number }[] = [];
    const closed: { id: number; at: number }[] = [];
    let began = 0;
    // One pass over the step's log for the lists: every sleep asks.
    for (let i = this.eventMark; i < events.length; i++) {
      const event = events[i]!;
      if (event.type === 'validate') checked.push(event.id);
      else if (event.type === 'create') opened.push({ id: event.id, at: event.at });
      else if (event.type === 'destroy') closed.push({ id: event.id, at: event.at });
      else if (event.type === 'connect-began') began++;
    }
    return { checked, opened, closed, began };
  }

  /**
   * Destructions since the last call; creations are kept for the step's end. For a command that
   * must learn what expired before it can predict what an acquire gets.
   */
  takeDestroyed(): readonly Destroyed[] {
    const { created, destroyed, began } = this.takeEvents();
    if (created.length + began.length > 0) this.carried = { created, began };
    return destroyed;
  }

  /**
   * Issues acquire number `ticket` and records how it ends, whenever that is: it may wait for
   * several steps. The step that the model says answers it checks the outcome.
   */
  issue(ticket: number): void {
    const call: AcquireCall = { outcome: null, at: null };
    // Where the pool can abort an acquire, each gets its own signal, for a later abort step.
    const controller = abortOf(this.adapter.semantics) === null ? null : takeController();
    if (controller !== null) this.aborts.set(ticket, controller);
    called(() => (controller === null ? this.adapter.acquire(this.pool) : this.adapter.acquire(this.pool, { signal: controller.signal }))).then(
      (value) => {
        call.outcome = { ok: true, value };
        call.at = this.clock.now();
      },
      (error: unknown) => {
        call.outcome = { ok: false, error };
        call.at = this.clock.now();
      },
    );
    this.calls.set(ticket, call);
  }

  /**
   * The acquires the pool answered and the model has not yet, and when, for a pool that polls for
   * acquire timeouts (the model learns when a poll came); `undefined` for any other.
   */
  settled(): Settled | undefined {
    if (timeoutPollMs(this.adapter.semantics) === 0) return undefined;
    const settled = new Map<number, { ok: boolean; at: number }>();
    for (const [ticket, call] of this.calls) if (call.outcome !== null && call.at !== null) settled.set(ticket, { ok: call.outcome.ok, at: call.at });
    return settled;
  }

  /**
   * Lets the loop run until every acquire in `tickets` has an outcome, or nothing more is due.
   * `issued`: the calls were just made, so one that never settles is a hang (`not-settled`);
   * otherwise they were waiting, and the step's end reports the waiter the pool did not serve.
   * `quiet`: called right after a settle, with no pool code run since (see `VirtualClock.settle`).
   * `predicted`: the model's answers for the calls, which a hang's message says, so that a wrong
   * declaration shows what it expected of the pool.
   */
  async settleCalls(tickets: readonly number[], what: string, issued = false, quiet = false, predicted: readonly Answer[] = []): Promise<void> {
    // Asked after every round of a settle: no closure per ticket per round, none at all for no tickets.
    const settled = await this.clock.settle(tickets.length === 0 ? ALWAYS : () => this.answered(tickets), quiet);
    if (!settled.ok && (issued || settled.quiet !== true)) this.fail('not-settled', `${what} did not settle: ${settled.reason}${this.stillOwed(predicted)}`);
  }

  /** The answers of `predicted` whose calls are still pending, as a hang's message says them. */
  private stillOwed(predicted: readonly Answer[]): string {
    const owed = predicted.filter((a) => this.calls.get(a.ticket)?.outcome === null);
    if (owed.length === 0) return '';
    return `; the declared semantics answer ${owed.length === 1 ? 'it' : 'them'} now: ${owed.map(describeAnswer).join(', ')}`;
  }

  /** Whether every acquire in `tickets` has an outcome (or was never issued). */
  private answered(tickets: readonly number[]): boolean {
    for (const ticket of tickets) if (this.calls.get(ticket)?.outcome === null) return false;
    return true;
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
  finishStep(box: ModelBox, step: { command: { toString(): string }; predicted?: string; observed?: string | undefined; next: ModelState; expectCreated?: readonly number[] }): void {
    this.current = null;
    // A wrong answer is this step's violation, recorded in the trace like any other.
    let answered: { state: ModelState; created: readonly number[]; story: string; violation?: Violation };
    try {
      answered = this.checkAnswers(step.next);
    } catch (error) {
      if (!(error instanceof PropertyViolationError)) throw error;
      answered = { state: answersTaken(step.next), created: [], story: '', violation: error.violation };
    }
    const events = this.takeEvents();
    const expected = answered.created.length === 0 ? (step.expectCreated ?? NONE) : [...(step.expectCreated ?? NONE), ...answered.created];
    // Opened for no acquire: the model accepts them only as a refill to the floor.
    const unasked = events.created.length === 0 ? events.created : events.created.filter((e) => !expected.includes(e.id));
    const unopened = expected.length === 0 ? NONE : expected.filter((id) => !events.created.some((e) => e.id === id));
    // Most steps leave the time where the model already has it: no copy of the state for them.
    const now = this.clock.now();
    const reconciled = reconcile(answered.state.now === now ? answered.state : withState(answered.state, { now }), events.destroyed, unasked, events.began);
    const state = reconciled.state;
    const observed = this.sample();
    const found: Violation | null =
      answered.violation !== undefined
        ? answered.violation
        : unopened.length > 0
        ? violation('wrong-connection', state.now, `acquire returned connection #${unopened[0]}, which the connector never opened in this run`, unopened[0])
        : reconciled.violations[0] ?? firstInvariantViolation(state, observed, this.connector.liveIds());
    if (this.record) {
      // A wrong answer leaves the connections the model opened for this step's acquires unnamed,
      // so the state counts none of them; the prediction shown still does.
      const counted = expectedCounters(state);
      const unnamed = answered.violation === undefined ? 0 : step.next.servedNew.length;
      const expected = unnamed === 0 ? counted : { ...counted, size: counted.size + unnamed };
      const actual = { waiting: 0, ...observed };
      this.lifelines().step(this.trace.length, this.connector.events, { before: box.state, next: step.next, answered: answered.state, after: state }, handedOut(found, state.now));
      this.trace.push({
        index: this.trace.length,
        command: String(step.command),
        at: state.now,
        predicted: [step.predicted, answered.story, formatCounters(expected)].filter(Boolean).join('; '),
        observed: [step.observed, formatCounters(actual)].filter(Boolean).join('; '),
        ...(found === null ? {} : { violation: found.message }),
        expected,
        actual: { idle: actual.idle, size: actual.size, waiting: actual.waiting },
      });
    }
    box.state = stepEnded(state);
    if (found !== null) throw new PropertyViolationError(found);
  }

  /**
   * Checks the acquires the model answered in this step against the real calls, in ticket order,
   * and moves the model on with what they got; then checks that every waiter is still waiting.
   */
  /**
   * A connection lent after it failed its validation is reported as such, whatever the model
   * expected for the acquire (still waiting, say, for the connect that replaces it).
   */
  private failIfLentInvalid(state: ModelState, who: string, outcome: NonNullable<AcquireCall['outcome']>): void {
    if (!outcome.ok) return;
    const id = this.adapter.connectionId(outcome.value as C);
    const doomed = findConn(state, id)?.doomed;
    if (doomed?.cause === 'invalid') this.fail('handed-out-invalid', `${who} got connection #${id}, which failed its validation at ${doomed.at} ms; a connection that fails must be closed and another tried`, id);
  }

  private checkAnswers(next: ModelState): { state: ModelState; created: readonly number[]; story: string } {
    if (next.answers.length === 0 && next.waiters.length === 0 && next.connecting.length === 0 && next.validating.length === 0) return { state: next, created: NONE, story: '' };
    let state = next;
    const created: number[] = [];
    const story: string[] = [];
    for (const answer of next.answers) {
      const call = this.calls.get(answer.ticket);
      if (call === undefined) throw new Error(`poolcheck harness: no acquire call for ticket ${answer.ticket}`);
      this.calls.delete(answer.ticket);
      const controller = this.aborts.get(answer.ticket);
      if (controller !== undefined) {
        this.aborts.delete(answer.ticket);
        // Only once the pool answered the call too: a call still pending may still read its signal.
        if (call.outcome !== null) controllerDone(controller);
      }
      // The story is for the trace, which only a recording run keeps.
      if (this.record) story.push(describeAnswer(answer));
      const outcome = call.outcome;
      const who = `acquire #${answer.ticket}`;
      if (answer.outcome === 'rejected') {
        if (outcome === null) {
          const kind = answer.reason === 'timed out' ? 'timeout-missed' : answer.reason === 'closed' ? 'waiter-not-rejected' : answer.reason === 'aborted' ? 'abort-missed' : 'acquire-not-rejected';
          this.fail(kind, `${who} should have been rejected (${answer.reason}) but is still pending`);
        }
        if (outcome.ok) {
          const id = this.adapter.connectionId(outcome.value as C);
          const doomed = findConn(state, id)?.doomed;
          if (doomed?.cause === 'invalid') this.fail('handed-out-invalid', `${who} got connection #${id}, which failed its validation at ${doomed.at} ms; a connection that fails must be closed and another tried`, id);
          const kind = answer.reason === 'timed out' ? 'served-after-timeout' : answer.reason === 'aborted' ? 'served-after-abort' : 'acquire-not-rejected';
          this.fail(kind, `${who} should have been rejected (${answer.reason}) but got connection #${id}`, id);
        }
        if (!(outcome.error instanceof Error) || outcome.error.message === '') this.fail('pool-error', `${who} was rejected (${answer.reason}) without an Error saying why: ${describeError(outcome.error)}`);
        if (answer.within !== undefined && call.at !== null) checkPolled(this, who, answer.within, call.at);
        if (answer.reason === 'connect failed') state = connectFailedFor(state, answer.ticket, answer.tookSlot === true);
        continue;
      }
      if (outcome === null) this.fail('waiter-not-served', `${who} should have been served (${describeAnswer(answer)}) but is still waiting`);
      if (!outcome.ok) this.fail('waiter-not-served', `${who} should have been served (${describeAnswer(answer)}) but was rejected: ${describeError(outcome.error)}`);
      const id = this.adapter.connectionId(outcome.value as C);
      const known = findConn(state, id);
      if (known?.state === 'gone') this.fail('handed-out-destroyed', `${who} got connection #${id}, which was destroyed at ${known.goneAt} ms`, id);
      if (known?.doomed?.cause === 'invalid') this.fail('handed-out-invalid', `${who} got connection #${id}, which failed its validation at ${known.doomed.at} ms; a connection that fails must be closed and another tried`, id);
      if (known?.doomed != null) this.fail('handed-out-destroyed', `${who} got connection #${id}, which ${known.doomed.cause === 'abandoned' && known.orphan !== true ? 'the pool had abandoned' : DOOMED_BY[known.doomed.cause]} at ${known.doomed.at} ms`, id);
      if (answer.candidates.length === 0 && known !== undefined) this.fail('wrong-connection', `${who} should have got a new connection, got #${id}${known.state === 'busy' ? ', which is in use' : ''}`, id);
      if (answer.candidates.length > 0 && !answer.candidates.includes(id)) {
        const got = known === undefined ? `a new connection #${id}` : `#${id}${known.state === 'busy' ? ', which is in use' : ''}`;
        this.fail(known?.state === 'busy' ? 'handed-out-twice' : 'wrong-connection', `${who} should ${describeServed(answer, next.semantics.reuse)}, got ${got}`, id);
      }
      if (known?.state === 'busy' && this.handles.has(id)) this.fail('handed-out-twice', `${who} got connection #${id}, which is already in use`, id);
      if (known === undefined) created.push(id);
      this.handles.set(id, outcome.value as C);
      state = acquired(state, id, known === undefined, answer.tookSlot === true);
    }
    for (const connect of next.connecting) {
      if (connect.ticket === null) continue;
      const outcome = this.calls.get(connect.ticket)?.outcome;
      if (outcome === null || outcome === undefined) continue;
      this.failIfLentInvalid(state, `acquire #${connect.ticket}`, outcome);
      const how = outcome.ok ? `got connection #${this.adapter.connectionId(outcome.value as C)}` : `was rejected: ${describeError(outcome.error)}`;
      this.fail('waiter-answered-early', `acquire #${connect.ticket} should still be waiting for its connect, due at ${connect.readyAt} ms, but it ${how}`);
    }
    for (const check of next.validating) {
      if (check.ticket === null) continue;
      const outcome = this.calls.get(check.ticket)?.outcome;
      if (outcome === null || outcome === undefined) continue;
      this.failIfLentInvalid(state, `acquire #${check.ticket}`, outcome);
      const how = outcome.ok ? `got connection #${this.adapter.connectionId(outcome.value as C)}` : `was rejected: ${describeError(outcome.error)}`;
      this.fail('waiter-answered-early', `acquire #${check.ticket} should still be waiting for the validation of ${check.id < 0 ? 'a new connection' : `#${check.id}`}, due at ${check.readyAt} ms, but it ${how}`);
    }
    for (const waiter of next.waiters) {
      const outcome = this.calls.get(waiter.ticket)?.outcome;
      if (outcome === null || outcome === undefined) continue;
      this.failIfLentInvalid(state, `acquire #${waiter.ticket}`, outcome);
      const how = outcome.ok ? `got connection #${this.adapter.connectionId(outcome.value as C)}` : `was rejected: ${describeError(outcome.error)}`;
      this.fail('waiter-answered-early', `acquire #${waiter.ticket} should still be waiting (${next.waiters.length} waiting, no capacity free${waiter.deadline === null ? '' : `, its timeout is at ${waiter.deadline} ms`}), but it ${how}`);
    }
    return { state: answersTaken(state), created, story: story.join(', ') };
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
    this.lifelines().step(this.trace.length, this.connector.events, undefined, handedOut(error.violation, this.clock.now()));
    this.trace.push({ index: this.trace.length, command: String(this.current), at: this.clock.now(), predicted: '', observed: '', violation: error.violation.message });
    this.current = null;
  }
}

function firstInvariantViolation(state: ModelState, observed: PoolCounters, connectorLive: number[]): Violation | null {
  const view = { state, observed, connectorLive };
  for (const invariant of stepInvariants) {
    const found = invariant.check(view);
    if (found !== null) return found;
  }
  return null;
}

const NONE: readonly number[] = [];
const ALWAYS = (): boolean => true;

interface StepEvents {
  readonly created: readonly Opened[];
  readonly destroyed: readonly Destroyed[];
  readonly began: readonly Opened[];
}

const UNDELAYED_REFUSAL = faultsTaken(0, true);

/**
 * Whether the connect that failed at `events[i]` began just before, undelayed: its failure follows
 * its `connect-began` in the same call (`NextConnectFaults.take`), so it began after whatever the
 * log holds before that.
 */
function begunJustNow(events: readonly ConnectorEvent[], i: number): boolean {
  const before = events[i - 1];
  return before !== undefined && before.type === 'connect-began' && before.at === events[i]!.at && before.sql === UNDELAYED_REFUSAL;
}

const NONE_OPENED: readonly Opened[] = [];
const NOTHING_LEARNT: LearntInStep = { checked: [], opened: [], closed: [], began: 0 };
const NO_EVENTS: StepEvents = { created: [], destroyed: [], began: [] };

const DOOMED_BY: Readonly<Record<DoomCause, string>> = {
  discarded: 'its holder discarded',
  broken: 'the server ended',
  invalid: 'failed its validation',
  abandoned: 'landed for an aborted acquire, to be closed,',
  'check-timed-out': "was under check when its acquire's deadline came, to be closed,",
  'check-aborted': 'was under check when its acquire was aborted, to be closed,',
  reaped: 'expired, closed by a reaper run,',
};

/** One acquire call and how it ended, and when; `null` while it is pending. */
export interface AcquireCall {
  outcome: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown } | null;
  at: number | null;
}

/** A polled timeout's rejection must come in its window: not before the deadline, by the first poll after it. */
function checkPolled(h: Harness, who: string, within: PollWindow, at: number): void {
  const polled = `polled every ${within.everyMs} ms`;
  if (at < within.from) h.fail('waiter-answered-early', `${who} was rejected (timed out) at ${at} ms, before its deadline at ${within.from} ms (the acquire timeout is ${polled})`);
  if (at > within.to) h.fail('timeout-missed', `${who} was rejected (timed out) at ${at} ms; its deadline was ${within.from} ms, and the first poll after it (${polled}) is due by ${within.to} ms`);
}

function describeServed(answer: Answer & { outcome: 'served' }, reuse: 'lifo' | 'fifo'): string {
  const ids = answer.candidates.map((c) => `#${c}`).join(' or ');
  if (answer.via === 'handoff') return `have been handed ${ids} as it was released`;
  return `reuse ${ids} (${reuse.toUpperCase()})`;
}

function describeAnswer(answer: Answer): string {
  if (answer.outcome === 'rejected') return `#${answer.ticket} rejected (${answer.reason})`;
  if (answer.candidates.length === 0) return `#${answer.ticket} gets a new connection`;
  return `#${answer.ticket} gets ${answer.candidates.map((c) => `#${c}`).join(' or ')}`;
}
