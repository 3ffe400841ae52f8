import type fc from 'fast-check';
import type { VirtualClock } from '../clock/clock.js';
import type { Connection, Connector } from '../connectors/types.js';
import type { WakePhase } from '../model/handoff.js';
import { violation, type Violation, type ViolationKind } from '../model/violation.js';
import type { RaceFault, RaceTraceLine } from './types.js';

/** Thrown into a client once the run has failed, so it stops at its next step. */
export class Aborted extends Error {
  constructor() {
    super('poolcheck races: the run already failed');
    this.name = 'Aborted';
  }
}

/**
 * A connect the pool asked the server for: when, the earliest start of the acquires pending then
 * (its own is one of them), and, once the server opened it, its id and whether its reply has
 * reached the pool.
 */
export interface ConnectAttempt {
  readonly startedAt: number;
  readonly earliestAcquire: number;
  id: number | null;
  delivered: boolean;
  /** An acquire was aborted while it was in flight: it may be that one's, which goes as `abort` declares. */
  abortSeen?: true;
}

/**
 * How a pool whose acquire timeout covers the connect gives up on one still in flight, as it
 * declares it (`lateConnect`): at the connect's own timer, a timeout after the connect began
 * (`'own-timeout'`), or at its acquire's deadline (`'closed'`). Either way the connection is open
 * at the server for nobody until its reply lands, and the pool closes it then.
 */
export type AbandonRule = {
  readonly kind: 'own-timeout' | 'closed';
  readonly timeoutMs: number;
  /** A deadline the pool polls for (`acquireTimeoutCheck`), every this many ms; 0: a timer. */
  readonly pollMs: number;
};

/** A settled promise as a value, so a rejection can wait for the scheduler without going unhandled. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export async function outcomeOf<T>(promise: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * The shared state of one race run: the scheduler that picks what happens next, the clock, the
 * trace, who holds which connection, and the first violation seen. Clients and the scheduled
 * connector report here; the safety invariants are checked here, the moment their event happens.
 */
export class RaceWorld {
  readonly trace: RaceTraceLine[] = [];
  /** Connection id → the client holding it. */
  readonly holders = new Map<number, string>();
  /** What each client is doing now, for a run that gets stuck. */
  readonly doing = new Map<string, string>();
  /** Rounds each client had begun when the run failed (or ended): the rest never mattered. */
  readonly roundsBegun = new Map<string, number>();
  /** Connections the server opened, by id. */
  private readonly opened = new Map<number, Connection>();
  /** Connections a client discarded, by id, with who discarded them: never to be handed out again. */
  private readonly gone = new Map<number, string>();
  private found: Violation | null = null;
  decisions = 0;
  /**
   * Once the run has failed, the connector stops holding completions back, so the pool can be
   * terminated without the scheduler.
   */
  passThrough = false;

  /** Connect failures the injected faults caused that an acquire's rejection has not yet claimed. */
  private claimedConnectFailures = 0;
  /** Connects the server has not answered the pool yet, for a pool that abandons late ones. */
  private readonly inFlight = new Set<ConnectAttempt>();
  /** Acquires pending, by client, with when each began. */
  private readonly pendingAcquires = new Map<string, number>();
  /** Connections the pool was owed to close as they landed, abandoned; by id. */
  private readonly mustClose = new Map<number, ConnectAttempt>();
  /** Connections the pool has called close() on. */
  private readonly closing = new Set<number>();

  constructor(
    readonly scheduler: fc.Scheduler,
    readonly clock: VirtualClock,
    readonly server: Connector,
    readonly maxSize: number,
    /** The run's acquire timeout, ms; undefined: none. */
    readonly acquireTimeoutMs?: number,
    /** How the pool gives up on a connect still in flight at its timeout; null: it never does. */
    readonly abandons: AbandonRule | null = null,
  ) {}

  /**
   * Connects the server has not answered yet, for a pool that abandons late ones: the pool may
   * have closed without them, and the server still lands each, which the pool must then close.
   */
  get connectsInFlight(): number {
    return this.inFlight.size;
  }

  /** A client aborts its pending acquire: a connect in flight may be its own. */
  aborting(): void {
    for (const attempt of this.inFlight) attempt.abortSeen = true;
  }

  /** An acquire began (`at`) or settled (`null`). */
  acquirePending(who: string, at: number | null): void {
    if (at === null) this.pendingAcquires.delete(who);
    else this.pendingAcquires.set(who, at);
  }

  /** The pool asked the server for a connection. */
  connectStarted(): ConnectAttempt {
    const now = this.clock.now();
    const attempt: ConnectAttempt = { startedAt: now, earliestAcquire: Math.min(now, ...this.pendingAcquires.values()), id: null, delivered: false };
    if (this.abandons !== null) this.inFlight.add(attempt);
    return attempt;
  }

  /**
   * The server's reply to a connect reaches the pool (or it failed). A connection the pool has
   * given up on by now, as it declares, must be closed before anything else happens.
   */
  connectAnswered(attempt: ConnectAttempt): void {
    attempt.delivered = true;
    this.inFlight.delete(attempt);
    if (attempt.id !== null && this.surelyAbandoned(attempt)) {
      this.mustClose.set(attempt.id, attempt);
      this.log('server', `#${attempt.id} lands after its acquire gave up on it (${this.abandons?.kind === 'own-timeout' ? 'its own timer' : 'the deadline'} at ${this.abandonedBy(attempt)} ms): the pool must close it`);
    }
  }

  /**
   * The latest instant the pool gives the connect up, if it has not landed: its acquire began by
   * the connect's start, and a polled deadline is seen by the first poll after it.
   */
  private abandonedBy(attempt: ConnectAttempt): number {
    if (this.abandons === null) return Infinity;
    return attempt.startedAt + this.abandons.timeoutMs + (this.abandons.kind === 'closed' ? this.abandons.pollMs : 0);
  }

  /**
   * Whether the pool has given the connect up by now, as declared. At its acquire's deadline
   * (`'closed'`), only if no acquire was aborted meanwhile: an aborted one's connect lands as
   * `abort.lateConnection` says, which the sequential check holds it to.
   */
  private surelyAbandoned(attempt: ConnectAttempt): boolean {
    if (this.abandons === null || (this.abandons.kind === 'closed' && attempt.abortSeen === true)) return false;
    return this.clock.now() >= this.abandonedBy(attempt);
  }

  /**
   * Whether the pool may have given the connect up by now, so that it no longer counts it
   * against maxSize: at its own timer, or (`'closed'`) at the deadline of the earliest acquire
   * pending when it began, which is no later than its own acquire's.
   */
  private mayBeAbandoned(attempt: ConnectAttempt): boolean {
    if (this.abandons === null) return false;
    const from = this.abandons.kind === 'own-timeout' ? attempt.startedAt : attempt.earliestAcquire;
    return this.clock.now() >= from + this.abandons.timeoutMs;
  }

  /** Connections open at the server that count against maxSize: not one the pool may have abandoned and has not heard of since. */
  private openCount(): number {
    const abandoned = new Set<number>();
    for (const a of this.inFlight) if (a.id !== null && this.mayBeAbandoned(a)) abandoned.add(a.id);
    return this.server.liveIds().filter((id) => !abandoned.has(id)).length;
  }

  /** A connection the pool was to close as it landed is still open: the pool kept it. */
  private checkAbandonedClosed(): void {
    for (const [id, attempt] of this.mustClose) {
      if (this.closing.has(id)) {
        this.mustClose.delete(id);
        continue;
      }
      this.fail('abandoned-kept', 'pool', `#${id} landed at ${this.clock.now()} ms, after its acquire gave up on the connect (by ${this.abandonedBy(attempt)} ms, declared lateConnect: ${this.abandons?.kind ?? ''}), and the pool kept it open; it must close it as it lands`, id);
      return;
    }
  }

  /** Injects a fault at the server, for whichever operation comes next. */
  inject(fault: RaceFault): void {
    const faults = this.server.faults;
    const missing = (): never => {
      throw new Error(`poolcheck races: the connector cannot inject ${fault.kind}; use one whose \`faults\` has it`);
    };
    if (faults === undefined) return missing();
    switch (fault.kind) {
      case 'failNextConnect':
        return faults.failNextConnect();
      case 'slowNextConnect':
        return faults.delayNextConnect(fault.ms);
      case 'failNextValidation':
        return faults.failNextValidation === undefined ? missing() : faults.failNextValidation();
      case 'slowNextQuery':
        return faults.delayNextQuery === undefined ? missing() : faults.delayNextQuery(fault.ms);
    }
  }

  /** Whether an acquire that waited `ms` has met the run's timeout. */
  timedOut(ms: number): boolean {
    return this.acquireTimeoutMs !== undefined && ms >= this.acquireTimeoutMs;
  }

  /** Takes one injected connect failure as the reason for an acquire's rejection, if one is left. */
  claimConnectFailure(): boolean {
    const failures = this.server.events.filter((e) => e.type === 'connect-failed').length;
    if (failures <= this.claimedConnectFailures) return false;
    this.claimedConnectFailures++;
    return true;
  }

  get violation(): Violation | null {
    return this.found;
  }

  get failed(): boolean {
    return this.found !== null;
  }

  /** Records a line of the trace; after a violation, the clean-up is not part of the counterexample. */
  log(who: string, text: string): void {
    if (this.found !== null) return;
    this.trace.push({ at: this.clock.now(), who, text });
  }

  /** Records the first violation; later ones are consequences of it. */
  fail(kind: ViolationKind, who: string, message: string, connectionId?: number): void {
    if (this.found !== null) return;
    this.found = violation(kind, this.clock.now(), message, connectionId);
    this.trace.push({ at: this.clock.now(), who, text: message, violation: message });
  }

  /**
   * A client's next step: resolves when the scheduler picks it. `sleepMs` of virtual time pass
   * first, with every timer due meanwhile firing, expiry timers included.
   */
  async step(who: string, text: string, sleepMs = 0, block?: WakePhase): Promise<void> {
    if (this.failed) throw new Aborted();
    this.doing.set(who, `about to ${text}`);
    await this.scheduler.schedule(Promise.resolve(), `${who}: ${text}`, undefined, async (fire) => {
      this.decisions++;
      this.log(who, text);
      if (sleepMs > 0 && !this.failed) {
        if (block !== undefined) {
          // The loop is blocked: nothing runs, then it wakes into the phase drawn, where the
          // overdue timers fire once, ordered against the immediates as Node orders them.
          this.clock.blockSync(sleepMs);
          const woke = await this.clock.wake(block);
          if (!woke.ok) this.fail('not-settled', who, `waking from a ${sleepMs} ms block: ${woke.reason}`);
        } else {
          const slept = await this.clock.sleep(sleepMs);
          if (!slept.ok) this.fail('not-settled', who, `sleeping ${sleepMs} ms: ${slept.reason}`);
        }
      }
      await fire();
    });
    if (this.failed) throw new Aborted();
    this.doing.set(who, `in ${text}`);
  }

  /** Hands a server reply to the pool when the scheduler picks it. */
  async deliver<T>(outcome: Outcome<T>, text: string): Promise<T> {
    if (!this.passThrough) {
      await this.scheduler.schedule(Promise.resolve(), `server: ${text}`, undefined, async (fire) => {
        this.decisions++;
        this.log('server', text);
        await fire();
      });
    }
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  /** The server opened a connection: never more than maxSize at once. */
  serverOpened(conn: Connection): void {
    this.opened.set(conn.id, conn);
    const open = this.openCount();
    if (open > this.maxSize) {
      this.fail('over-max', 'server', `opened #${conn.id}: ${open} connections open at once, above maxSize ${this.maxSize}`, conn.id);
    } else {
      this.log('server', `opened #${conn.id} (${open} open)`);
    }
  }

  /** The pool closes a connection: never one a client holds, never twice. */
  poolCloses(conn: Connection): void {
    const holder = this.holders.get(conn.id);
    this.closing.add(conn.id);
    if (conn.closed) this.fail('destroyed-twice', 'pool', `closes #${conn.id} a second time`, conn.id);
    else if (holder !== undefined) this.fail('destroyed-in-use', 'pool', `closes #${conn.id} while ${holder} holds it`, conn.id);
    else this.log('pool', `closes #${conn.id}`);
  }

  /** A client got a connection from acquire(): open, and nobody else's. */
  received(who: string, id: number): void {
    const conn = this.opened.get(id);
    const holder = this.holders.get(id);
    if (conn === undefined) this.fail('pool-error', who, `acquire() gave connection #${id}, which the server never opened`, id);
    else if (conn.closed) this.fail('handed-out-destroyed', who, `acquire() gave #${id}, which the pool had already closed`, id);
    else if (this.server.events.some((e) => e.type === 'validate' && e.id === id && e.sql === 'invalid')) this.fail('handed-out-invalid', who, `acquire() gave #${id}, which had failed its validation`, id);
    else if (this.mustClose.has(id)) this.fail('abandoned-kept', who, `acquire() gave #${id}, whose connect the pool had given up on (by ${this.abandonedBy(this.mustClose.get(id) as ConnectAttempt)} ms, declared lateConnect: ${this.abandons?.kind ?? ''}); it must be closed as it lands`, id);
    else if (this.gone.has(id)) this.fail('handed-out-destroyed', who, `acquire() gave #${id}, which ${this.gone.get(id) ?? ''} had discarded with destroy()`, id);
    else if (holder !== undefined) this.fail('handed-out-twice', who, `acquire() gave #${id}, which ${holder} still holds`, id);
    else {
      this.holders.set(id, who);
      this.log(who, `got #${id}`);
    }
  }

  /** A client discards its connection: it is no longer held, and must never be handed out again. */
  discarded(who: string, id: number): void {
    this.holders.delete(id);
    this.gone.set(id, who);
  }

  /** A client begins a round; counted only while the run has not failed. */
  beginRound(who: string, round: number): void {
    if (!this.failed) this.roundsBegun.set(who, round + 1);
  }

  isClosed(id: number): boolean {
    return this.opened.get(id)?.closed ?? false;
  }

  /** Checked between scheduler decisions too, for a pool that opens behind the connector's back. */
  checkOpen(): void {
    this.checkAbandonedClosed();
    const open = this.openCount();
    if (open > this.maxSize) this.fail('over-max', 'server', `${open} connections open at once, above maxSize ${this.maxSize}`);
  }
}
