import { capabilitiesOf, checkServesOf, describeMin, discardRefillOf, minOf, validationOf, type MinRefill } from './semantics.js';
import { idleConns, inFlight, inFlightAt, liveCount, sizeAt, sizeOf, type LeftIdle, type ModelState, type RefillOwed, type TimerKey } from './state.js';
import { connectForNobody } from './answers.js';
import { withState } from './copy.js';
import { violation, type Violation } from './violation.js';

/**
 * The min floor's side of the model: what a floor counts, when the pool owes connections back up
 * to min, and whether it opened them in time. Connections the pool opens on its own are learnt
 * from the connector's log by `reconcile`, which asks here whether each was due.
 */

/**
 * What the floor counts at `at`: idle connections for an `'idle'` floor, else open ones (with
 * connects in flight). `due` orders timers that fire at the same instant, as in `sizeAt`; `seq`,
 * the idle seq of the connection whose expiry is decided, orders it among checks at that instant.
 */
export function floorCount(state: ModelState, at: number, due: number | { readonly fewestSince: number } = at, seq = Infinity, order = Infinity): number {
  if (typeof due === 'object') return fewestCounted(state, at, due.fewestSince);
  if (minOf(state.semantics).floor === 'idle') return idleConns(state).length - checkedBackAt(state, at, seq) + takenAfter(state, due, seq, (s) => s.at < at || (s.at === at && s.due < due)) + idleOrphans(state, at, due) + refillsInFlight(state, at, due, order) + landedIdle(state, at, due, order);
  return capabilitiesOf(state.semantics).connectsInFloor === false ? sizeAt(state, at, due, order) - inFlightAt(state, at, due, order) : sizeAt(state, at, due, order);
}

/**
 * The fewest the floor may have counted at a reaper's run between `since` and `at`, whose instant
 * (and due time, after a blocked loop) the model does not know: a connect that failed by `at` had
 * failed, and, where the floor leaves connects in flight out, one that landed since had not landed
 * yet. A run that kept the connection then comes back only an interval later.
 */
function fewestCounted(state: ModelState, at: number, since: number): number {
  if (minOf(state.semantics).floor === 'idle') return idleConns(state).length + idleOrphans(state, at, Infinity) + refillsInFlight(state, at, Infinity, Infinity);
  if (capabilitiesOf(state.semantics).connectsInFloor !== false) return sizeAt(state, at, Infinity);
  // Landed since, whether the log has told its id yet or not.
  const landingNow = state.failedConnects.filter((f) => f.stays === true && f.at >= since && f.at <= at && f.startedAt <= at).length;
  const openedNow = state.conns.filter((c) => c.state !== 'gone' && c.createdAt >= since && c.createdAt <= at).length;
  return sizeAt(state, at, Infinity) - inFlightAt(state, at, Infinity) - landingNow - openedNow;
}

/**
 * What an idle floor counts when an expiry due at `due`, armed at idle seq `seq`, fires at `at`:
 * the connections idle then. A refill's connect counts once it has landed: before that expiry in
 * the order timers fire (due time, then the order they were set), not while it is still in
 * flight (the own pool's `floorCount()` is its idle size). A connection under an async check then
 * is not idle, and one a retry took from idle after that expiry fired still was, as in {@link floorCount}.
 */
export function idleFloorAtExpiry(state: ModelState, at: number, due: number, seq: number): number {
  const before = (landsAt: number, landsDue: number, began: number | undefined): boolean => landsAt < at || (landsAt === at && (landsDue < due || (landsDue === due && began !== undefined && began <= seq)));
  let landed = 0;
  for (const c of state.connecting) if (c.refill === true && !c.fails && c.readyAt <= at && before(c.readyAt, c.readyAt, c.seq)) landed++;
  for (const f of state.failedConnects) if (f.stays === true && before(f.at, f.due, f.seq)) landed++;
  for (const o of state.orphans) if (o.fate === 'idle' && before(o.at, o.due, o.began)) landed++;
  return idleConns(state).length - checkedBackAt(state, at, seq) + takenAfter(state, due, seq, (s) => before(s.at, s.due, s.began)) + landed;
}

/**
 * Idle connections a passing check sent back after `at`, or at `at` as a blocked loop woke (after
 * every overdue timer), or at `at` after the expiry timer of the connection whose idle seq is
 * `seq` (set before the check's): under check then, not idle, for that expiry.
 */
function checkedBackAt(state: ModelState, at: number, seq: number): number {
  let n = 0;
  for (const c of state.conns) {
    const back = c.checkedBack;
    if (back !== undefined && c.state === 'idle' && c.doomed === null && (back.at > at || (back.at === at && (back.afterTimers || seq < back.seq)))) n++;
  }
  return n;
}

/**
 * Connections a retry after a failed check took from idle after the expiry due at `at` fired (due
 * at the same time, when the timer of that expiry, whose idle seq is `seq`, was set before the
 * check's: it fired first), so still idle then. Due times order timers at a blocked loop's wake.
 */
function takenAfter(state: ModelState, at: number, seq: number, landedBefore: (since: NonNullable<LeftIdle['since']>) => boolean): number {
  let n = 0;
  for (const c of state.conns) {
    const left = c.leftIdle;
    // One that landed idle in the step counts only once it had landed.
    if (left !== undefined && c.state !== 'idle' && c.state !== 'gone' && c.doomed === null && (left.at > at || (left.at === at && seq < left.seq)) && (left.since === undefined || landedBefore(left.since))) n++;
  }
  return n;
}

/**
 * Refill connects in flight at `at`: on their way to idle, so an idle floor counts them as the
 * pool does (it opened them for the floor, and would open no more for it meanwhile).
 */
function refillsInFlight(state: ModelState, at: number, due: number, order: number): number {
  // For a timer whose order is known, a refill connect that failed after it at its instant too.
  const failing = order === Infinity ? 0 : state.failedConnects.filter((f) => f.refill === true && f.startedAt <= at && inFlight(f, at, due, order)).length;
  return failing + (state.connecting.length === 0 ? 0 : state.connecting.filter((c) => c.refill === true && c.startedAt <= at).length);
}

/**
 * Connects kept after their acquire gave up (or a refill's) that landed idle by `at` (at one
 * instant, those due before `due`, or a refill's set before `order`), not yet learnt from the log: idle already, which an idle floor
 * counts, as the pool does.
 */
function landedIdle(state: ModelState, at: number, due: number, order: number): number {
  if (state.failedConnects.length === 0) return 0;
  // A refill's, at one due time, by the order its timer was set in, where the decider's is known.
  return state.failedConnects.filter((f) => f.stays === true && (f.at < at || (f.at === at && (f.due < due || (f.due === due && order !== Infinity && f.order !== undefined && f.order < order))))).length;
}

/**
 * Connections that landed idle for aborted acquires by `at` (at one instant, those whose connect
 * was due before `due`), not yet learnt from the log: idle already, which an idle floor counts.
 */
function idleOrphans(state: ModelState, at: number, due: number): number {
  if (state.orphans.length === 0) return 0;
  return state.orphans.filter((o) => o.fate === 'idle' && (o.at < at || (o.at === at && o.due < due))).length;
}

/**
 * `trigger` happened at `at` (`cause` says what, for messages): where the pool refills on it and
 * the floor's count is below min, it owes connections at once. A pool that refills on its
 * reaper's runs owes them by its next run instead. `force`: owed whatever the refill set says
 * (min first opened at the first acquire). `failingAtRun`: connects that failed at `at` after a
 * reaper's run that called for the refill, so in flight when it decided. `seen`, for a failed
 * async check: the acquires' connects that failed at once in the step before it answered
 * (`failedSeen`), and its timer (`timer`), which orders it among the timers due at its instant;
 * for a discard, whether it came within an acquire's call (`inCall`: a synchronous check) and how
 * many of its refill's own connects were refused at once (`refillRefused`), which tell a refill
 * decided once the close has completed (`discardRefill: 'when-closed'`) what it had seen.
 */
export function owesRefill(before: ModelState, at: number, trigger: MinRefill, cause: string, force = false, failingAtRun = 0, seen: { readonly failedSeen?: number; readonly timer?: TimerKey; readonly exact?: true; readonly inCall?: true; readonly refillRefused?: number; readonly asAtDiscard?: true } = {}): ModelState {
  if (before.phase !== 'open' || before.config.minSize === 0) return before;
  // Decided once the close has completed (see `closeDecides`), after the refill an acquire of the
  // same stretch decided as the stretch ended, which counted this discard already: that one first.
  const closed = trigger === 'after-discard' && seen.asAtDiscard !== true ? closeDecides(before) : 'at-discard';
  const state = closed !== 'at-discard' && acquiresRefilledAfter(before, seen) ? owesRefill(before, at, trigger, cause, force, failingAtRun, { ...seen, asAtDiscard: true }) : before;
  const min = minOf(state.semantics);
  const atOnce = force || (trigger !== 'on-reaper-run' && min.refill.includes(trigger));
  const byRun = !atOnce && min.refill.includes('on-reaper-run') && state.reaperStartedAt !== null;
  if (!atOnce && !byRun) return state;
  // A command's events share one synchronous stretch, and a connect fails by I/O, later: acquires'
  // connects that failed at once in the step were in flight when the pool decided its refill, and
  // so was a refill connect an earlier event of the command started. So were those of a reaper's
  // earlier expiries in the same run (generic-pool's `_evict` loop, each `_destroy` calling
  // `_ensureMinimum`). A per-connection timer is a stretch of its own: what failed before it had
  // failed.
  const command = atOnce && trigger !== 'after-expiry';
  const stretch = command || (atOnce && state.semantics.expiry.kind === 'reaper');
  // A reaper run's refill counts, in flight, the connects that failed after it at its instant.
  // A failed async check answers later than that stretch: the failures it saw had been seen.
  const inStretch = command ? Math.max(0, (state.failedAtOnce ?? 0) - (seen.failedSeen ?? 0)) : stretch ? failingAtRun : 0;
  // Decided once the discarded connection's close has completed (see `closeDecides`): after the
  // connects refused at once had failed, so none counts in flight (by I/O, after every timer due
  // at that instant too); but the refill's own, refused at once where it serves the queue head,
  // were its decision's, in flight as it decided.
  const own = Math.min(inStretch, seen.refillRefused ?? 0);
  const failing = closed === 'at-discard' ? inStretch : own;
  const byIo = closed === 'by-io';
  // An idle floor counts no acquire's connect; capacity counts every one.
  const counted = min.floor === 'idle' ? 0 : failing;
  // Decided as a timer fired, it counts the connects whose timers fire after it at that instant;
  // decided by I/O, none: every timer of the instant came first.
  const due = byIo ? Infinity : seen.timer?.due ?? at;
  const order = byIo ? Infinity : seen.timer?.order ?? Infinity;
  // A refill at an acquire is decided once the calls of the step have returned: a synchronous
  // check that failed in them had closed its connection by then (the own pool's `ready`, then
  // `queueRefill`), so it counts neither toward min nor in size.
  const closedByCheck = trigger === 'at-acquire' ? closedInCall(state, at) : 0;
  // An idle floor never counted it: a doomed connection is not idle.
  const count = floorCount(state, at, due, Infinity, order) + counted - (min.floor === 'idle' ? 0 : closedByCheck);
  const size = sizeAt(state, at, due, order) + failing - closedByCheck;
  if (count >= state.config.minSize || size >= state.config.maxSize) return state;
  const owed = state.refillOwed;
  if (owed !== null && !atOnce) return state;
  // Each later event that calls for a refill tries again for the whole shortfall, a failed
  // connect's share too; an earlier one still owed at once stays owed since it was.
  // A failed async check's refill is decided after the stretch, its failures seen: a new try.
  const sameStretch = stretch && seen.failedSeen === undefined && owed?.by === 'at-once' && owed.since === at ? (owed.failed ?? 0) - (owed.acquiresFailing ?? 0) : 0;
  // A reaper's run after a check's timer at that instant (the log's order) comes in a stretch of
  // its own: the connects that the check's refill saw fail at once had failed (the microtasks of
  // one timer run before the next fires), and the run tries again for the whole shortfall. So does
  // a check's timer after a run's, where the check serves the queue head (its close is logged
  // after the run's).
  const reaper = state.semantics.expiry.kind === 'reaper';
  const afterCheck = trigger === 'after-expiry' && reaper && owed?.decided !== undefined;
  const afterRun = reaper && seen.timer !== undefined && owed?.decided === undefined && checkServesOf(state.semantics) === 'queue-head';
  const inStretchRefill = afterCheck || afterRun ? 0 : sameStretch;
  // Once the close has completed, a refill connect of the stretch refused at once had failed
  // too: this refill tries again for the whole shortfall.
  const refillFailed = closed === 'at-discard' ? inStretchRefill : 0;
  // In process the pool may have decided before the refusals were seen, as at the discard: the
  // refill may lack their share.
  const others = inStretch - own;
  const atDiscard = min.floor === 'idle' ? 0 : others;
  const mayLack = closed === 'in-process' ? shortfall(state, count, size) - shortfall(state, count + atDiscard + inStretchRefill, size + others + inStretchRefill) : 0;
  const lacking = mayLack > 0 ? { mayLack } : {};
  const failures = failing === 0 && refillFailed === 0 ? {} : { failed: refillFailed + counted, held: failing - counted, acquiresFailing: counted };
  // Decided as a timer fired, it opens the shortfall then: connects landing after it, at that
  // instant, do not take the refill's place.
  // So does one decided as an acquire's check begins (`exact`), before the check answers.
  const short = { short: Math.min(state.config.minSize - count, state.config.maxSize - size), opened: 0 };
  const decided = seen.timer !== undefined ? { decided: seen.timer, ...short } : seen.exact === true ? short : {};
  const refillOwed: RefillOwed = !atOnce
    ? { since: at, cause, by: 'next-reaper-run' }
    : owed?.by === 'at-once'
      ? { since: owed.since, cause: owed.cause, by: 'at-once', goneBefore: goneCount(state), ...failures, ...lacking, ...(owed.decided === undefined ? {} : { decided: owed.decided }) }
      : { since: at, cause, by: 'at-once', goneBefore: goneCount(state), ...failures, ...lacking, ...decided };
  return atOnce ? refillTakesFaults(withState(state, { refillOwed }), at) : withState(state, { refillOwed });
}

/**
 * When a refill after a discard is decided. `'at-discard'` (the default): as the connection is
 * discarded, in the step's synchronous stretch, while a connect refused at once is still in
 * flight. Once the close has completed (`discardRefill: 'when-closed'`), the connector orders it
 * as it lands its connects: on a server by I/O (`'by-io'`), after what completes at once (a
 * refused connect) and after the timers due at that instant; in process (`'in-process'`, pg-mem)
 * within microtasks, as a refused connect fails, so which comes first is the pool's own microtask
 * depth (sequelize-pool's close comes first, the own pool's refusal), and either is right.
 */
function closeDecides(state: ModelState): 'at-discard' | 'by-io' | 'in-process' {
  if (discardRefillOf(state.semantics) !== 'when-closed') return 'at-discard';
  return state.connectsLandByIo === true ? 'by-io' : 'in-process';
}

/**
 * Whether an acquire of the step decided a refill at its stretch's end after this discard, so
 * counting it: the pool refills at each acquire (`'at-acquire'`, decided once the calls of the
 * step have returned, as the own pool's `queueRefill`), and the discard came within an acquire's
 * call, which took its slot (a synchronous check that failed there), not in a timer's callback or
 * as an async check answered.
 */
function acquiresRefilledAfter(state: ModelState, seen: { readonly inCall?: true }): boolean {
  return seen.inCall === true && validationOf(state.semantics) === 'sync' && minOf(state.semantics).refill.includes('at-acquire');
}

/**
 * Connections a synchronous check failed at `at` within the step's calls, not yet seen closed in
 * the connector's log: the pool closed each at once, inside the acquire that checked it.
 */
function closedInCall(state: ModelState, at: number): number {
  if (validationOf(state.semantics) !== 'sync') return 0;
  let n = 0;
  for (const c of state.conns) if (c.state !== 'gone' && c.doomed?.cause === 'invalid' && c.doomed.at === at && c.doomed.timer === undefined) n++;
  return n;
}

/** How many connections a refill opens with `count` toward min and `size` open or opening. */
function shortfall(state: ModelState, count: number, size: number): number {
  return Math.max(0, Math.min(state.config.minSize - count, state.config.maxSize - size));
}

/**
 * A refill owed at once starts its connects at `at`, so the first of them is the next connect,
 * and takes the injected faults: a slow one is in flight until it lands, idle (counted in size
 * meanwhile, as any connect); one that fails is not tried again until the next event that calls
 * for a refill (generic-pool's `_createResource` only emits `factoryCreateError` and dispenses to
 * waiters; sequelize-pool's lowers its count and dispenses). The rest of the refill opens at once.
 */
function refillTakesFaults(state: ModelState, at: number): ModelState {
  if (!state.failNext && state.connectDelay === 0) return state;
  const owed = state.refillOwed as RefillOwed;
  if (state.connectDelay === 0) return withState(state, { failNext: false, refillOwed: { ...owed, failed: (owed.failed ?? 0) + 1 } });
  return connectForNobody(refillOpened(state), at, true);
}

/** Whether the pool may open a connection on its own at `at`: a refill is owed, or due at a reaper run, and min not yet reached. */
export function refillAllowed(state: ModelState, at: number): boolean {
  const min = minOf(state.semantics);
  const reaperRefills = min.refill.includes('on-reaper-run') && state.reaperStartedAt !== null;
  if (state.refillOwed === null && !reaperRefills) return false;
  // A refill connect that failed is not tried again within the same refill.
  // They held capacity too when the pool decided how many to open, as did acquires' connects
  // failing then.
  const failed = state.refillOwed?.failed ?? 0;
  const short = state.refillOwed?.short;
  if (short !== undefined) return (state.refillOwed?.opened ?? 0) + failed - (state.refillOwed?.acquiresFailing ?? 0) < short;
  const held = failed + (state.refillOwed?.held ?? 0);
  return floorCount(state, at) + failed < state.config.minSize && sizeAt(state, at) + held < state.config.maxSize;
}

/** The pool opened one of a refill's connections: counted where the refill knows its shortfall. */
export function refillOpened(state: ModelState): ModelState {
  const owed = state.refillOwed;
  return owed?.short === undefined ? state : withState(state, { refillOwed: { ...owed, opened: (owed.opened ?? 0) + 1 } });
}

/**
 * Connects in flight when the refill was decided at `since` that failed later in the step: the
 * refill counted them (every pool here counts its connects in flight toward min), and a failed
 * connect is not tried again until the next event that calls for a refill. (One that failed at
 * `since` itself is in the refill's `failed`, as the log's order says.)
 */
function failedSince(state: ModelState, since: number, decided?: TimerKey): number {
  if (state.failedConnects.length === 0) return 0;
  return state.failedConnects.filter((f) => f.stays !== true && f.startedAt <= since && (decided === undefined ? f.at > since : inFlight(f, since, decided.due, decided.order))).length;
}

/** Connections the model knows have gone. */
function goneCount(state: ModelState): number {
  return state.conns.length - liveCount(state) + (state.retired?.length ?? 0);
}

/**
 * The step is over: a refill owed at once must have been made; one owed by the next reaper run
 * must have been made once a whole interval has passed (or the loop woke from a block, when the
 * overdue run fires). Settled refills are forgotten.
 */
export function settleRefill(before: ModelState): { state: ModelState; violation: Violation | null } {
  let state = before;
  const min = minOf(state.semantics);
  if (state.refillOwed === null && min.refill.includes('on-reaper-run')) {
    // A count that fell below min in a way no event reported (a pool created below it) is owed
    // from now: the reaper's next run refills it.
    state = owesRefill(state, state.now, 'on-reaper-run', 'the pool was below its min');
  }
  const owed = state.refillOwed;
  if (owed === null) return { state, violation: null };
  const count = floorCount(state, state.now);
  // A refill that knows its shortfall is made once it has opened (or failed) that many.
  // A refill the pool may have decided before a refusal was seen may lack that many.
  const lack = owed.mayLack ?? 0;
  if (owed.short !== undefined && (owed.opened ?? 0) + (owed.failed ?? 0) - (owed.acquiresFailing ?? 0) + lack >= owed.short) return { state: withState(state, { refillOwed: null }), violation: null };
  const goneSince = owed.goneBefore === undefined ? 0 : goneCount(state) - owed.goneBefore;
  if (state.phase !== 'open' || count + (owed.failed ?? 0) + goneSince + failedSince(state, owed.since, owed.decided) + lack >= state.config.minSize || sizeOf(state) + (owed.failed ?? 0) + (owed.held ?? 0) + lack >= state.config.maxSize) return { state: withState(state, { refillOwed: null }), violation: null };
  const expiry = state.semantics.expiry;
  const by = owed.by === 'at-once' || expiry.kind !== 'reaper' ? owed.since : Math.max(owed.since + expiry.intervalMs, state.awakeSince);
  if (state.now <= by && owed.by !== 'at-once') return { state, violation: null };
  const counted = min.floor === 'idle' ? 'idle' : 'open';
  const when = owed.by === 'at-once' ? `by ${state.now} ms` : `within one reaper run, by ${by} ms`;
  return {
    state,
    violation: violation('min-not-refilled', state.now, `after ${owed.cause} at ${owed.since} ms the pool had ${count} connection(s) ${counted}, below its min of ${state.config.minSize}, and did not open connections back up to it ${when} (declared: ${describeMin(min)})`),
  };
}
