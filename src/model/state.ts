import { effectiveLifetime, type PoolConfig, type Semantics } from './semantics.js';
import { withState } from './copy.js';
import { replaceRetired, retiredConn } from './retired.js';
import { unnamedChecks } from './fresh-check.js';

/**
 * The reference model's state. Plain immutable data: every transition returns a new state, so a
 * reader can follow the expected behaviour of a pool from this folder alone.
 */

/** `validating`: taken from idle by an acquire and being checked before it is lent. */
export type ConnState = 'idle' | 'busy' | 'validating' | 'gone';

/**
 * Why a connection must be closed at once: discarded by its holder, ended by the server while
 * idle, failed its validation, opened for an acquire that was aborted (where the semantics
 * close such a connection), or under check when its acquire's deadline came (`lateCheck: 'closed'`)
 * or it was aborted (`abort.lateCheck: 'closed'`). `'reaped'`: a reaper's run closed it, idle,
 * during a sleep, before a look at the queue that the model sees would have taken it (see
 * `queue-check.ts`): an expiry, at an instant the model bounds.
 */
export type DoomCause = 'discarded' | 'broken' | 'invalid' | 'abandoned' | 'check-timed-out' | 'check-aborted' | 'reaped';

export interface ModelConn {
  /** The connector's id for this connection. */
  readonly id: number;
  readonly state: ConnState;
  readonly createdAt: number;
  /**
   * When the connection's idle clock started (its release, or its creation where the semantics
   * arm on creation). `null` while busy, or when nothing armed it.
   */
  readonly idleSince: number | null;
  /**
   * Reuse order: larger means it became idle later. Connections opened together when the pool is
   * created share one value, since their relative order is not something a pool promises.
   */
  readonly idleSeq: number;
  /**
   * A floor kept it when its expiry came due. A per-connection timer does not come back, so the
   * connection stays until it is next used; a reaper looks at it again on its next run.
   */
  readonly kept: boolean;
  /** When a floor last kept it, for a reaper's next look. */
  readonly keptAt: number | null;
  readonly goneAt: number | null;
  /**
   * When the connection was doomed, and why: discarded by its holder (`destroy`), or ended by the
   * server while idle (`broken`). The pool must close it at that instant; it is never handed out.
   */
  readonly doomed: {
    readonly at: number;
    readonly cause: DoomCause;
    /** Where the close came at an instant the model only bounds (`'reaped'`): the earliest, `at` the latest. */
    readonly from?: number;
    /**
     * For a check that took time: when its timer was due and the order it was set in (see
     * `Validating.seq`), which places its close among expiries due at the same instant.
     */
    readonly timer?: { readonly due: number; readonly seq: number; readonly order?: number };
    /**
     * For a failed async check: how many acquires' connects had failed at once in the step when
     * it answered (see {@link ModelState.failedAtOnce}). A check answers after microtasks of its
     * own, so those failures were seen before the pool decided the refill its close calls for.
     */
    readonly failedSeen?: number;
    /**
     * How many of the connects its refill began were refused at once (`refillServesQueue`): in
     * `failedAtOnce` with the acquires', they are the refill's own, even where it is decided once
     * the close has completed.
     */
    readonly refillRefused?: number;
  } | null;
  /** It landed for an aborted acquire, and nobody asked for it since. */
  readonly orphan: true | undefined;
  /**
   * When a check that took time passed it for an acquire that was aborted meanwhile, and it went
   * back to idle (`afterTimers`: as a blocked loop woke, after every overdue timer; `seq`: the
   * check's, see `Validating.seq`). An idle floor deciding an expiry before then, or at that
   * instant of a wake, or at that instant by a timer set before the check's, did not count it.
   */
  readonly checkedBack: {
    readonly at: number;
    readonly afterTimers: boolean;
    readonly seq: number;
    /**
     * A check that serves the queue head passed it back (see `queue-check.ts`): a connection a
     * reaper's refill opened at that instant went idle before or after it, as the timers fell.
     */
    readonly queue?: true;
  } | undefined;
  /**
   * When (the due time of its timer) the check of an acquire failed, and the acquire took this
   * connection from idle instead (`seq`: that check's, see `Validating.seq`): an idle floor
   * deciding an expiry due earlier in the step counted it as idle.
   */
  readonly leftIdle: LeftIdle | undefined;
  /**
   * The server ended it while it was idle, and the pool did not hear of it (`brokenIdle:
   * 'unnoticed'`): it stays where it is, its next check fails, and a query on it fails.
   */
  readonly broken: true | undefined;
}

/**
 * When (the due time of its timer, `at`, and the check's `seq`) a failed check's retry took a
 * connection from idle. `since`: for one that landed idle earlier in the same step (a refill's, or
 * an aborted acquire's, not yet named by the log), when it landed (`at`), its connect's due time
 * and {@link Connecting.seq}: an idle floor deciding an expiry before then did not count it.
 */
export interface LeftIdle {
  readonly at: number;
  readonly seq: number;
  readonly since?: { readonly at: number; readonly due: number; readonly began: number | undefined };
}

/**
 * An acquire the pool has not answered yet: it waits at max, first in first out. `ticket` is the
 * acquire's number in the run, so the runner can match it with the real call.
 */
export interface Waiter {
  readonly ticket: number;
  /** Timers due at the same instant fire in the order they were set; this is that order. */
  readonly order: number;
  readonly since: number;
  /** When the pool's acquire timeout rejects it; `null` when it waits for ever. */
  readonly deadline: number | null;
}

/** A connect in flight for an acquire: it lands (or fails) at `readyAt`. */
export interface Connecting {
  /**
   * The acquire waiting for it; `null` once that acquire gave up (its timeout came first) or was
   * aborted (`aborted`): the connection then lands for nobody.
   */
  readonly ticket: number | null;
  /** Its acquire was aborted: it lands as `Capabilities.abort.lateConnection` says. */
  readonly aborted?: true;
  /** The pool began it on its own, to refill its min (`ticket` is then `null`): it lands idle. */
  readonly refill?: true;
  /**
   * The next idle seq when it began. An expiry armed at this seq or later was set after it, so at
   * one instant the landing fires first.
   */
  readonly seq?: number;
  /** Timers due at the same instant fire in the order they were set; this is that order. */
  readonly order: number;
  readonly startedAt: number;
  readonly readyAt: number;
  readonly fails: boolean;
  /**
   * Where the acquire timeout covers the connect: when the acquire is rejected if the connect has
   * not landed (its timer set in `deadlineOrder`). `null`: it waits for the connect.
   */
  readonly deadline: number | null;
  readonly deadlineOrder: number;
  /** When the connect is abandoned if still in flight (`lateConnect: 'own-timeout'`); `null`: never on its own. */
  readonly abandonAt: number | null;
  /** The order that timer was set in: as the connect began. */
  readonly abandonOrder: number;
  /**
   * When the pool abandoned it: from then on it no longer counts in `size`, and the connection is
   * closed the instant it lands. `null` while the pool still waits for it.
   */
  readonly abandonedAt: number | null;
  /** When the timer that abandoned it was due (earlier than `abandonedAt` after a blocked loop). */
  readonly abandonedDue: number | null;
  /**
   * A connect that failed at once, where a failed connect rejects whoever heads the queue
   * (`failedConnect: true` with `connectServes: 'queue-head'`): the head was rejected as it began,
   * since its failure is seen before any connect of the same stretch lands. It holds its slot until
   * the stretch is over, and then the pool looks at its queue again.
   */
  readonly headRejected?: true;
  /**
   * A connect for an acquire that connects at once, begun in a timer's callback on a server
   * (`connectsLandByIo`): that timer. Its I/O began then, so it lands after the I/O of the slow
   * connects whose timers fired before, and before that of the ones still to fire.
   */
  readonly ioBegan?: TimerKey;
}

/**
 * An idle connection an acquire took, being validated by a query that takes time: it passes (or
 * fails) at `readyAt`. `ticket` is `null` once that acquire was aborted.
 */
export interface Validating {
  readonly ticket: number | null;
  /**
   * The check belongs to no acquire (`validation.serves: 'queue-head'`): the pool began it for its
   * queue, and a pass goes to whoever heads the queue as it answers (see `queue-check.ts`).
   */
  readonly forQueue?: true;
  /**
   * A connection just opened, under check from its landing (see `fresh-check.ts`): when its
   * connect began and was due. Its `id` is `UNNAMED` until the connector's log names it.
   */
  readonly fresh?: { readonly startedAt: number; readonly due: number };
  readonly order: number;
  readonly id: number;
  readonly readyAt: number;
  readonly fails: boolean;
  /**
   * `nextIdleSeq` when the check began: a connection that became idle later had its expiry timer
   * set after the check's, which decides who fires first when both are due at once.
   */
  readonly seq: number;
  /**
   * Where the acquire timeout covers the wait and the connect, its one deadline bounds the check
   * too: the acquire began at `since` (its deadline is `since` plus the timeout) and its timer was
   * set in `order`. Left out: nothing bounds the check.
   */
  readonly covered?: CoveredBy;
  /** Its acquire took its capacity as its first check began (see `check-took.ts`). */
  readonly took?: true;
  /**
   * A connection just opened, checked as it landed for the head of the queue (`alsoChecks:
   * ['opened']`): the model learns its id from the connector's log at the step's end, and until
   * then `id` is a negative stand-in. It took a place in the pool from `startedAt`.
   */
  readonly opened?: { readonly startedAt: number; readonly due: number };
  /**
   * A check for the queue (`forQueue`) that passes, whose reply was queued as a blocked loop
   * woke: by its query's overdue timer, or begun at once in an overdue timer's callback. The
   * order it was queued in; the reply comes after every overdue timer, in that order (see
   * `queue-check.ts`).
   */
  readonly replyQueued?: number;
  /**
   * Such a quick check begun in a timer's callback on a server (`connectsLandByIo`): that timer.
   * Its query's I/O began then, which orders its reply among the connects landing by I/O.
   */
  readonly ioBegan?: TimerKey;
}

/** The acquire a deadline over the wait, the connect and the check runs for: when it began, and the order its timer was set in. */
export interface CoveredBy {
  readonly since: number;
  readonly order: number;
}

/**
 * A connection that landed for an aborted acquire and that no waiter took: the pool opened it at
 * `at` for nobody, and keeps it idle or closes it at once, as the semantics declare. The runner
 * learns its id from the connector's log.
 */
export interface Orphan {
  /** When its connect began: from then it took a place in the pool, which a floor counts. */
  readonly startedAt: number;
  readonly at: number;
  /** When its connect was due to land (earlier than `at` after a blocked loop). */
  readonly due: number;
  readonly fate: 'closed' | 'idle';
  /** Its place in the reuse order, taken when it landed: others may become idle after it in the same step. */
  readonly seq: number;
  /** Its connect's {@link Connecting.seq}: which expiries due at its instant it lands before. */
  readonly began?: number;
}

/**
 * How an acquire issued in this step, or waiting from an earlier one, was answered. `served`:
 * with one of `candidates` (a reused or handed-off connection), or with a connection opened for it
 * (`candidates` empty). `rejected`: with an error, for the reason given.
 */
export type Answer =
  | {
      readonly ticket: number;
      readonly outcome: 'served';
      readonly candidates: readonly number[];
      readonly via?: 'reuse' | 'handoff';
      /** Its acquire took its capacity as an async check began, and set off what an acquire does then (see `check-took.ts`). */
      readonly tookSlot?: true;
    }
  | {
      readonly ticket: number;
      readonly outcome: 'rejected';
      readonly reason: 'timed out' | 'connect failed' | 'closed' | 'aborted';
      /** A timeout the pool polls for: the instants the rejection may come at (see {@link PollWindow}). */
      readonly within?: PollWindow;
      /** Its own slow connect failed: what an acquire sets off in the pool happened as it began. */
      readonly tookSlot?: true;
    };

/**
 * When a polled acquire timeout may reject its waiter: not before the deadline, and by the first
 * poll after it (one interval later, or when a blocked loop wakes).
 */
export interface PollWindow {
  readonly from: number;
  readonly to: number;
  readonly everyMs: number;
}

/**
 * The acquires the real pool has answered and the model has not yet, by ticket: served (`ok`) or
 * rejected, and when. A timeout the pool polls for comes at an instant the model cannot know, so
 * it learns it from these (see `timePassed`), and the runner checks it lies in the window.
 */
export type Settled = ReadonlyMap<number, { readonly ok: boolean; readonly at: number }>;

export type Phase = 'open' | 'closing' | 'closed';

export interface ModelState {
  readonly config: PoolConfig;
  readonly semantics: Semantics;
  /** Virtual time, ms since the run started. */
  readonly now: number;
  /**
   * When the event loop last woke from a block. A timer that came due while the loop was blocked
   * fires at this time instead of on time.
   */
  readonly awakeSince: number;
  /**
   * Every connection the pool opened, in creation order, but for those gone before an earlier
   * step's instant, which are in `retired`.
   */
  readonly conns: readonly ModelConn[];
  readonly phase: Phase;
  /** When close or terminate began. */
  readonly closingAt: number | null;
  /** When the pool had nothing in use any more after a close began, or was terminated. */
  readonly closedAt: number | null;
  /** When terminate() closed everything at once, even during a graceful close. */
  readonly terminatedAt: number | null;
  readonly nextIdleSeq: number;
  /** When the reaper's schedule started, or null while it has not (semantics with a timer: unused). */
  readonly reaperStartedAt: number | null;
  /** Acquires waiting at max, in the order they are to be served. */
  readonly waiters: readonly Waiter[];
  /** Acquires answered since the runner last looked; it checks each against the real call. */
  readonly answers: readonly Answer[];
  /** The number the next acquire gets. */
  readonly nextTicket: number;
  /** The next connect fails (an injected fault). */
  readonly failNext: boolean;
  /** The next connect takes this long, ms (an injected fault); 0: at once. */
  readonly connectDelay: number;
  /** Connects in flight for acquires, in the order they started. */
  readonly connecting: readonly Connecting[];
  /**
   * Connects that failed during the current step, or landed without an acquire to take them (abandoned,
   * or kept after their acquire gave up), and when: until then they took a place in the pool, which
   * a floor counts. Forgotten when the step ends.
   */
  readonly failedConnects: readonly FailedConnect[];
  /** The order the next waiter's timeout or connect's timer is set in. */
  readonly nextOrder: number;
  /** The next validation fails (an injected fault). */
  readonly validationFails: boolean;
  /** The next query, an async validation among them, takes this long, ms (an injected fault); 0: at once. */
  readonly queryDelay: number;
  /** Validations in flight, in the order they started. */
  readonly validating: readonly Validating[];
  /** Connections that landed for aborted acquires this step, not yet seen in the connector's log. */
  readonly orphans: readonly Orphan[];
  /**
   * The connections that acquires answered this step were served with where `candidates` is empty
   * (opened for them, or an orphan taken), in answer order, and when each began to count in the
   * pool's size (its connect began). The runner learns their ids from the real calls; until then
   * a floor counts them from then. `tookSlot`: its acquire's own slow connect, begun in an earlier
   * step, where what an acquire sets off (a refill at it, min opened at the first) happened then.
   */
  readonly servedNew: readonly { readonly startedAt: number; readonly tookSlot?: true; readonly leftIdle?: LeftIdle }[];
  /**
   * Connections the pool owes to bring the min floor's count back up to min: since when, after
   * what, and by when (at once, or by the reaper's next run). `null` when none are owed.
   */
  readonly refillOwed: RefillOwed | null;
  /** The pool has had its first acquire (a pool that opens min then has done so). */
  readonly acquiredOnce: boolean;
  /**
   * Connects that landed after their acquire gave up, whose connection ids the connector's log
   * tells: each is to be closed at once (`'closed'`), or joins the pool idle (`'idle'`).
   * `invalid`: closed because it failed the check of a connection just opened (`alsoChecks:
   * ['opened']`), not because its acquire gave up. `seq`: the next idle seq as an abandoned
   * connect landed, which orders it among the orphans landing at the same instant; for one kept
   * idle, the idle seq it took as it landed, its place in the reuse order.
   */
  readonly landedUnasked: readonly LandedUnasked[];
  /**
   * A reaper that stops when it finds the pool empty (`stopsWhenEmpty`): since when the pool was
   * found empty, so a run since may have stopped it. Cleared when an acquire is served.
   */
  readonly reaperMayHaveStopped: number | undefined;
  /** When an acquire served started again a reaper that may have stopped: its runs follow from then. */
  readonly reaperRestartedAt: number | undefined;
  /**
   * The connector's slow connects land by I/O (a real server): a landing comes after every timer
   * that fires at its instant. Left out: on its own timer, in the order it was set.
   */
  readonly connectsLandByIo: true | undefined;
  /**
   * Connects for acquires that failed at once (no delay) during the current step. A connect fails
   * by I/O, after the step's synchronous stretch and its microtasks, so a refill decided in that
   * stretch still counted each one in flight, and is not owed again when it fails. Forgotten when
   * the step ends.
   */
  readonly failedAtOnce: number | undefined;
  /**
   * Failed connects the pool retries after a delay (`failedConnect: { retry: { afterMs } }`): when
   * each retry's timer fires, and the order it was set in. Left out: none pending.
   */
  readonly retryTimers: readonly RetryTimer[] | undefined;
  /**
   * New connections whose check, serving the queue head, passed as they landed at a blocked
   * loop's wake: each reply comes after every overdue timer (see `check-reply.ts`). Left out: none.
   */
  readonly checkReplies: readonly CheckReply[] | undefined;
  /** The overdue timers of a blocked loop's wake are firing (set only while they do). */
  readonly waking: true | undefined;
  /**
   * The connections the pool checked during the sleep being predicted, from the connector's log,
   * for a look at the queue whose idle connections a reaper's run may have taken (see
   * `head-look.ts`). Left out outside a sleep.
   */
  readonly checkedInStep: LearntInStep | undefined;
  /**
   * Connections gone before the instant an earlier step ended at, in the order they left `conns`
   * (see `retired.ts`): only their ids are looked up, by `findConn`. Left out until one is.
   */
  readonly retired: readonly ModelConn[] | undefined;
  /**
   * Checks begun while the timers of the sleep being predicted fired, for a reading of when a
   * polled timeout came to hold against the log's (see `timers.ts`). Left out outside a sleep.
   */
  readonly checksBegun: number | undefined;
}

/** A new connection's passing check whose reply is still to come, as a blocked loop wakes. */
export interface CheckReply {
  /** When its connect began: it counts in size from then. */
  readonly startedAt: number;
  /** When its connect's timer was due. */
  readonly due: number;
  /** The order it was queued in: replies come in the order the timers that queued them fired. */
  readonly order: number;
  /** Its connect's {@link Connecting.seq}. */
  readonly seq?: number;
}

/** What the connector's log said during a sleep: the connections checked, and those opened and closed, and when. */
export interface LearntInStep {
  readonly checked: readonly number[];
  readonly opened: readonly { readonly id: number; readonly at: number }[];
  /** The connections it closed, and when (left out: not learnt). */
  readonly closed?: readonly { readonly id: number; readonly at: number }[];
  /** How many connects took an injected fault (`connect-began`). */
  readonly began?: number;
}

/**
 * A connect that landed with no acquire to take it as it landed (see {@link ModelState.landedUnasked}).
 * `checking`: it landed for the head of the queue and is under a check still in flight, the
 * stand-in id of its {@link Validating}; the log's id replaces it. `cause`: why one closed at
 * once was, where it was under check (its acquire's deadline, or its abort).
 */
export interface LandedUnasked {
  readonly at: number;
  /**
   * `'checking'`: a new connection under a check that serves the queue head, its place in the
   * log's order kept while the check is in flight (`check`: that check's order; see `fresh-check.ts`).
   */
  readonly fate: 'closed' | 'idle' | 'checking';
  readonly check?: number;
  readonly armed?: boolean;
  readonly invalid?: true;
  readonly seq?: number;
  readonly checking?: number;
  readonly cause?: 'check-timed-out' | 'check-aborted' | 'reaped';
  /** When one that was under check as it landed was closed: its check ended then, after it landed. */
  readonly closedAt?: number;
  /** When one that was under check as it landed passed back to idle: its idle clock starts then, after it landed. */
  readonly idleFrom?: number;
}

/** A failed connect's retry, due at `at`: the pool then looks at its queue once more. */
export interface RetryTimer {
  readonly at: number;
  readonly order: number;
}

/**
 * A connect that failed, or landed for nobody, during the current step (see
 * {@link ModelState.failedConnects}). `stays`: it landed and joined the pool idle, so it counts
 * after `at` too, until the connector's log tells its id.
 */
export interface FailedConnect {
  readonly startedAt: number;
  readonly due: number;
  readonly at: number;
  readonly stays?: true;
  /** A connect that landed: its {@link Connecting.seq}. */
  readonly seq?: number;
  /**
   * A connect that failed on its timer: the order that timer was set in, which orders the failure
   * among timers due at the same instant (a blocked loop's wake).
   */
  readonly order?: number;
  /** It was a refill's connect, which an idle floor's refill counts while it is in flight. */
  readonly refill?: true;
}

/**
 * A timer that fired at an instant of the current step: when it was due, and the order it was
 * set in. Timers due at one instant fire in due order, then in the order they were set.
 */
export interface TimerKey {
  readonly due: number;
  readonly order: number;
}

/** A refill the pool owes: see {@link ModelState.refillOwed}. */
export interface RefillOwed {
  readonly since: number;
  /** What made it owed, as messages print it: "connection #3 expired". */
  readonly cause: string;
  readonly by: 'at-once' | 'next-reaper-run';
  /**
   * How many of the refill's connects failed at once (an injected fault): the pool does not try
   * them again until the next event that calls for a refill, so the count may stay that far below.
   */
  readonly failed?: number;
  /**
   * Acquires' connects that failed at once in the step (see {@link ModelState.failedAtOnce}) and
   * that the floor does not count (an idle floor): in flight when the pool decided the refill,
   * they held capacity, so a refill capped by `maxSize` opened that many fewer. (Where the floor
   * counts them, they are in `failed`.)
   */
  readonly held?: number;
  /** How many of `failed` are acquires' connects, not the refill's own. */
  readonly acquiresFailing?: number;
  /**
   * How many connections had gone when a refill owed at once was last called for. One that goes
   * after, in the same step (an expiry that fires after the acquire that called for the refill, at
   * the instant a blocked loop wakes), takes the refill's count down without the pool owing it
   * again, unless an event of its own calls for a refill.
   */
  readonly goneBefore?: number;
  /**
   * The timer whose callback decided the refill (a slow check that failed), where it matters: a
   * connect whose timer fired after it at that instant was still in flight then.
   */
  readonly decided?: TimerKey;
  /**
   * For a refill decided at a known point (a check's timer, `decided`, or as an acquire's check
   * began): how many connections it opens (the shortfall then), and how many it has opened.
   */
  readonly short?: number;
  readonly opened?: number;
  /**
   * A refill decided once an in-process close completed (`discardRefill: 'when-closed'` on
   * pg-mem), which may have come before or after the connects refused at once in the stretch
   * were seen: opened for the later order, it may lack this many, as the earlier one counts them.
   */
  readonly mayLack?: number;
}

export function initialState(config: PoolConfig, semantics: Semantics): ModelState {
  return {
    config,
    semantics,
    now: 0,
    awakeSince: 0,
    conns: [],
    phase: 'open',
    closingAt: null,
    closedAt: null,
    terminatedAt: null,
    nextIdleSeq: 1,
    reaperStartedAt: startsAtCreation(semantics) ? 0 : null,
    waiters: [],
    answers: [],
    nextTicket: 1,
    failNext: false,
    connectDelay: 0,
    connecting: [],
    failedConnects: [],
    nextOrder: 1,
    validationFails: false,
    queryDelay: 0,
    validating: [],
    orphans: [],
    servedNew: [],
    refillOwed: null,
    acquiredOnce: false,
    landedUnasked: [],
    reaperMayHaveStopped: undefined,
    reaperRestartedAt: undefined,
    connectsLandByIo: undefined,
    failedAtOnce: undefined,
    retryTimers: undefined,
    checkReplies: undefined,
    waking: undefined,
    checkedInStep: undefined,
    retired: undefined,
    checksBegun: undefined,
  };
}

function startsAtCreation(semantics: Semantics): boolean {
  // A chain that runs while something is idle is always running when it matters: whenever a
  // connection is idle, a run is at most one interval away.
  return semantics.expiry.kind === 'reaper' && (semantics.expiry.startsOn === 'pool-creation' || semantics.expiry.startsOn === 'while-idle');
}

/** The reaper starts on this event, if it had not yet. */
export function reaperEvent(state: ModelState, event: 'first-acquire' | 'first-release'): ModelState {
  const expiry = state.semantics.expiry;
  if (expiry.kind !== 'reaper' || expiry.startsOn !== event) return state;
  if (state.reaperMayHaveStopped !== undefined) {
    // Running still, or started again now: either way, a run comes within an interval from here.
    return withState(state, { reaperMayHaveStopped: undefined, reaperRestartedAt: state.now });
  }
  if (state.reaperStartedAt !== null) return state;
  return { ...state, reaperStartedAt: state.now };
}

/**
 * The step is over with the pool empty: a reaper that stops when it finds the pool so
 * (`stopsWhenEmpty`) may stop at any run from now on, until an acquire is served.
 */
export function reaperMayStop(state: ModelState): ModelState {
  const expiry = state.semantics.expiry;
  if (expiry.kind !== 'reaper' || expiry.stopsWhenEmpty !== true || state.reaperStartedAt === null || state.reaperMayHaveStopped !== undefined) return state;
  const empty = liveCount(state) === 0 && state.connecting.length === 0 && state.waiters.length === 0 && state.validating.length === 0 && state.landedUnasked.length === 0 && state.orphans.length === 0;
  return empty ? { ...state, reaperMayHaveStopped: state.now } : state;
}

/** Idle connections an acquire may get: not doomed. */
export function idleConns(state: ModelState): ModelConn[] {
  // Every acquire asks: a plain loop, where a filter's callback left out of line by the optimiser
  // was seen to cost one process of the same build 3% of its time.
  const idle: ModelConn[] = [];
  for (const c of state.conns) if (isIdleConn(c)) idle.push(c);
  return idle;
}

/** `idleConns(state).length`, without the list: the counters are checked after every step. */
export function idleCount(state: ModelState): number {
  let n = 0;
  for (const c of state.conns) if (isIdleConn(c)) n++;
  return n;
}

/** Idle and not doomed: one an acquire may get. */
export function isIdleConn(c: ModelConn): boolean {
  return c.state === 'idle' && c.doomed === null;
}

export function busyConns(state: ModelState): ModelConn[] {
  return state.conns.filter((c) => c.state === 'busy');
}

export function liveCount(state: ModelState): number {
  // Counted in a loop: this runs several times a step, over every connection the run opened.
  let n = 0;
  for (const c of state.conns) if (c.state !== 'gone') n++;
  return n;
}

/** The pool's size: open connections and connects in flight, which a floor counts too. */
export function sizeOf(state: ModelState): number {
  return liveCount(state) + waitedFor(state.connecting, Infinity) + unnamedChecks(state);
}

/** Connects in flight at `at` that the pool still waits for (not abandoned by then, for a timer due at `due`). */
function waitedFor(connecting: readonly Connecting[], at: number, due: number = at): number {
  let n = 0;
  for (const c of connecting) if (c.abandonedAt === null || at < c.abandonedAt || (at === c.abandonedAt && due < (c.abandonedDue ?? at))) n++;
  return n;
}

/**
 * The pool's size at `at`, within the current step: connects still in flight count from when they
 * started, and the ones that failed during the step count until they failed. At the instant a
 * blocked loop wakes, overdue timers fire in due order: a connect that failed then still counted
 * for a timer (`due`) that was due before it.
 */
export function sizeAt(state: ModelState, at: number, due: number = at, order = Infinity): number {
  const orphans = state.orphans.length === 0 ? 0 : state.orphans.filter((o) => o.startedAt <= at && (o.fate === 'idle' || at < o.at)).length;
  const served = state.servedNew.length === 0 ? 0 : state.servedNew.filter((n) => n.startedAt <= at).length;
  const landed = state.failedConnects.length === 0 ? 0 : state.failedConnects.filter((f) => f.stays === true && f.startedAt <= at && !inFlight(f, at, due, order)).length;
  const replies = state.checkReplies === undefined ? 0 : state.checkReplies.filter((r) => r.startedAt <= at).length;
  return liveCount(state) + inFlightAt(state, at, due, order) + landed + orphans + served + replies + unnamedChecks(state, at);
}

/**
 * Connects in flight at `at` (within the current step: the ones that failed or landed unasked
 * during it count until then), the part of {@link sizeAt} a floor may leave out.
 */
export function inFlightAt(state: ModelState, at: number, due: number = at, order = Infinity): number {
  const connecting = waitedFor(state.connecting.filter((c) => c.startedAt <= at), at, due);
  const failing = state.failedConnects.filter((f) => f.startedAt <= at && inFlight(f, at, due, order)).length;
  return connecting + failing;
}

/**
 * Whether `f` was still in flight for a timer due at `due`, set in `order`, that fired at `at`:
 * at one instant timers fire in due order, then in the order they were set.
 */
export function inFlight(f: FailedConnect, at: number, due: number, order = Infinity): boolean {
  return at < f.at || (at === f.at && (due < f.due || (due === f.due && f.order !== undefined && order < f.order)));
}

/**
 * Checks in flight, where each holds a connection for the head of the queue: those whose timer
 * is still to fire, and new connections' checks whose reply is still to come after a wake.
 */
export function checksInFlight(state: ModelState): number {
  return state.validating.length + (state.checkReplies?.length ?? 0);
}

/** Acquire `ticket` waiting from now: its timer set now, as the next in order. */
export function newWaiter(state: ModelState, ticket: number): Waiter {
  const timeout = state.config.acquireTimeoutMs;
  return { ticket, order: state.nextOrder, since: state.now, deadline: timeout === undefined ? null : state.now + timeout };
}

/**
 * Capacity taken: connections open and not doomed, connects in flight, and the connections
 * opened for acquires answered this step (their ids are learnt from the real calls).
 */
export function capacityUsed(state: ModelState): number {
  let open = 0;
  for (const c of state.conns) if (c.state !== 'gone' && c.doomed === null) open++;
  let opening = 0;
  for (const a of state.answers) if (a.outcome === 'served' && a.candidates.length === 0) opening++;
  // A new connection under check whose id the log has not told yet.
  for (const v of state.validating) if (v.opened !== undefined && v.id < 0) opening++;
  return open + opening + waitedFor(state.connecting, Infinity) + keptOrphans(state) + (state.checkReplies?.length ?? 0) + unnamedChecks(state);
}

/**
 * Connections that landed idle for aborted acquires in this step, not yet learnt from the log:
 * they were in flight, counted, since their connect began, and stay.
 */
function keptOrphans(state: ModelState): number {
  return state.orphans.length === 0 ? 0 : state.orphans.filter((o) => o.fate === 'idle').length;
}

export function findConn(state: ModelState, id: number): ModelConn | undefined {
  for (const c of state.conns) if (c.id === id) return c;
  return state.retired === undefined ? undefined : retiredConn(state.retired, id);
}

export function replaceConn(state: ModelState, next: ModelConn): ModelState {
  const at = state.conns.findIndex((c) => c.id === next.id);
  if (at < 0) return state.retired === undefined ? state : withState(state, { retired: replaceRetired(state.retired, next) });
  const conns = state.conns.slice();
  conns[at] = next;
  return withState(state, { conns });
}

/** Whether the lifetime expires connections at all, under these semantics. */
export function expiryEnabled(state: ModelState): boolean {
  return lifetimeOf(state) !== null;
}

/** The idle lifetime in ms, with a configured 0 read as the pool declares; `null`: no expiry. */
export function lifetimeOf(state: ModelState): number | null {
  return effectiveLifetime(state.config, state.semantics);
}
