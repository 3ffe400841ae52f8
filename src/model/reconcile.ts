import { checkServesOf, describeMin, describeSemantics, describeTimeoutRules, minOf } from './semantics.js';
import { findConn, lifetimeOf, replaceConn, type Connecting, type DoomCause, type ModelConn, type ModelState } from './state.js';
import { checkedConnOpened } from './head-check.js';
import { floorCount, idleFloorAtExpiry, owesRefill, refillAllowed, refillOpened, settleRefill } from './refill.js';
import { violation, type Violation } from './violation.js';
import { whyNoWindow, windowOf, type Window } from './windows.js';
import { withConn, withState } from './copy.js';
import { connectForNobody } from './answers.js';
import { freshCheckNamed } from './fresh-check.js';

/** A destruction the connector logged. */
export interface Destroyed {
  readonly id: number;
  readonly at: number;
  /**
   * Connects that failed at the same instant, logged after this destruction: timers due at one
   * instant (a blocked loop's wake) fire in an order the log keeps, so these were still in flight
   * when a reaper's run, whose due instant the model only bounds, decided its refill.
   */
  readonly failuresAfter?: number;
  /**
   * The last connection logged as opened at this instant before this destruction. A connection
   * closed as it lands (its new-connection check failed) may be closed before connections opened
   * later at that instant, by the refill its closing called for: the log keeps that order.
   */
  readonly openedBefore?: number;
}

/** A connection the pool opened on its own, not for an acquire. */
export interface Opened {
  readonly id: number;
  readonly at: number;
}

export interface Reconciled {
  readonly state: ModelState;
  readonly violations: readonly Violation[];
}

/**
 * Learns which connections went, from the connector's log, and checks each against its window:
 * nothing goes early, in use or twice, and nothing outlives its window up to `state.now`. Events
 * and window ends are walked in time order, because a floor's decision depends on how many
 * connections are still open at that instant. Connections the pool opened on its own are accepted
 * only where the semantics refill to the floor, and only up to it.
 */
export function reconcile(state: ModelState, destroyed: readonly Destroyed[], opened: readonly Opened[] = [], began: readonly Opened[] = []): Reconciled {
  // A faulted connect's beginning only tells the model something where a pool may begin one on its
  // own at an instant the model does not know: a refill at a reaper run.
  const begins = began.length === 0 || !minOf(state.semantics).refill.includes('on-reaper-run') ? NO_BEGINS : began;
  // Most steps log nothing: they pay for no event list.
  const pending = destroyed.length + opened.length + begins.length === 0 ? [] : inOrder(state, destroyed, opened, begins);
  let s = state;
  for (;;) {
    const next = pending[0];
    const end = earliestWindowEnd(s);
    const refill = landingRefill(s, s.now);
    if (refill !== undefined && (next === undefined || refill.readyAt < next.at) && (end === null || refill.readyAt <= end.window.to)) {
      // A refill's slow connect begun in this step came due before the next event: one that
      // fails is gone (counted in size until then); one that lands must have shown as a create.
      const result = refillLanded(s, refill);
      if ('violation' in result) return { state: s, violations: [result.violation] };
      s = result.state;
    } else if (next !== undefined && (end === null || next.at < end.window.to || (next.at === end.window.to && !idleFloorFirst(s, next.kind, end.window)))) {
      pending.shift();
      const result = next.kind === 'destroy' ? applyDestroy(s, next) : next.kind === 'begin' ? applyBegin(s, next) : applyOpen(s, next);
      if ('violation' in result) return { state: s, violations: [result.violation] };
      s = result.state;
    } else if (end !== null) {
      const result = applyWindowEnd(s, end.conn, end.window);
      if ('violation' in result) {
        // Report the state the model expected: the connection gone when its window closed.
        const expected = replaceConn(s, { ...end.conn, state: 'gone', goneAt: end.window.to });
        return { state: expected, violations: [result.violation] };
      }
      s = result.state;
    } else {
      const settled = settleRefill(s);
      return { state: settled.state, violations: settled.violation === null ? NO_VIOLATIONS : [settled.violation] };
    }
  }
}

/**
 * An idle floor's expiry decided at the instant a connection opened: the floor counts what was
 * idle when the expiry fired, and a landing it came before is told by {@link idleFloorAtExpiry}
 * from the connects the model still has in flight, so the expiry goes first.
 */
function idleFloorFirst(state: ModelState, kind: EventKind, window: Window): boolean {
  return kind === 'open' && window.cause === 'expiry' && minOf(state.semantics).floor === 'idle' && state.semantics.expiry.kind === 'timer';
}

/**
 * The first refill connect due by `at` that the model's timers have not fired: one begun in this
 * step (a refill starts when the loss it replaces is learnt from the log), due within it.
 */
function landingRefill(state: ModelState, at: number): Connecting | undefined {
  let first: Connecting | undefined;
  for (const c of state.connecting) if (c.refill === true && c.readyAt <= at && (first === undefined || c.readyAt < first.readyAt)) first = c;
  return first;
}

function refillLanded(state: ModelState, c: Connecting): Outcome {
  const rest = { ...state, connecting: state.connecting.filter((x) => x !== c) };
  if (c.fails) {
    // Not tried again until the next event that calls for a refill: for a pool that refills on
    // its reaper's runs, the next run, which owes the whole shortfall again.
    const owed = rest.refillOwed === null ? null : rest.refillOwed.by === 'next-reaper-run' ? { since: c.readyAt, cause: `a refill connect failed at ${c.readyAt} ms`, by: 'next-reaper-run' as const } : { ...rest.refillOwed, failed: (rest.refillOwed.failed ?? 0) + 1 };
    return { state: { ...rest, refillOwed: owed, failedConnects: [...rest.failedConnects, { startedAt: c.startedAt, due: c.readyAt, at: c.readyAt, order: c.order, refill: true as const }] } };
  }
  return { violation: violation('min-not-refilled', c.readyAt, `the pool's refill connect, begun at ${c.startedAt} ms, was due to land at ${c.readyAt} ms, but no connection opened then (declared: ${describeMin(minOf(state.semantics))})`) };
}

type EventKind = 'destroy' | 'open' | 'begin';

const NO_BEGINS: readonly Opened[] = [];
const NO_VIOLATIONS: readonly Violation[] = [];

/**
 * The logged events in the order they happened. At one instant, destructions go first (a refill
 * follows the loss it replaces: a reaper run closes what expired, then refills), except that of a
 * connection opened then (one closed as it lands), which follows its opening.
 */
function inOrder(state: ModelState, destroyed: readonly Destroyed[], opened: readonly Opened[], began: readonly Opened[]): ({ kind: EventKind } & Destroyed)[] {
  const all = [...destroyed.map((e) => tagged(e, 'destroy')), ...opened.map((e) => tagged(e, 'open')), ...began.map((e) => tagged(e, 'begin'))];
  // Events at distinct instants, listed in time order (one event, say), need no sort: the order
  // below only tells apart events at one instant.
  let ordered = true;
  for (let i = 1; i < all.length && ordered; i++) ordered = all[i - 1]!.at < all[i]!.at;
  if (ordered) return all;
  const openedAt = new Map(opened.map((e) => [e.id, e.at]));
  const rank = (e: { kind: EventKind; id: number; at: number; openedBefore?: number }): number => (e.kind === 'begin' ? 0.5 : e.kind === 'open' ? 1 : openedAt.get(e.id) === e.at ? (e.openedBefore === undefined ? 2 : 1) : 0);
  // Where checks serve the queue head, a failed check's close and a reaper run's at one wake
  // come in the order their timers fired, which the log keeps (the sort is stable).
  const byId = checkServesOf(state.semantics) !== 'queue-head';
  return all.sort((a, b) => a.at - b.at || rank(a) - rank(b) || loggedOrder(a, b, openedAt) || timerOrder(state, a, b) || (byId ? a.id - b.id : 0));
}

/**
 * At one instant, the destruction of a connection opened then goes before the openings logged
 * after it (ids are given in the log's order): a refill its closing called for opens after it.
 * Without the log's order (`openedBefore` unknown), it follows every opening of that instant.
 */
function loggedOrder(a: { kind: EventKind; id: number; at: number; openedBefore?: number }, b: { kind: EventKind; id: number; at: number; openedBefore?: number }, openedAt: ReadonlyMap<number, number>): number {
  const key = (e: typeof a): number | null => (e.kind === 'open' ? e.id : e.kind === 'destroy' && e.openedBefore !== undefined && openedAt.get(e.id) === e.at ? e.openedBefore + 0.5 : null);
  const ka = key(a);
  const kb = key(b);
  return ka === null || kb === null ? 0 : ka - kb;
}

/** `{ ...e, kind }`, written out: a spread is copied in V8's runtime, many times slower, and this runs every step that logs something. */
function tagged(e: Destroyed, kind: EventKind): { kind: EventKind } & Destroyed {
  if (e.openedBefore !== undefined) return { ...e, kind };
  return e.failuresAfter === undefined ? { id: e.id, at: e.at, kind } : { id: e.id, at: e.at, failuresAfter: e.failuresAfter, kind };
}

/** The live connection whose window closes first, among those closing by `now`. */
function earliestWindowEnd(state: ModelState): { conn: ModelConn; window: Window } | null {
  let best: { conn: ModelConn; window: Window } | null = null;
  for (const conn of state.conns) {
    const window = windowOf(state, conn);
    if (window === null || window.to > state.now) continue;
    if (best === null || window.to < best.window.to) best = { conn, window };
  }
  return best;
}

type Outcome = { state: ModelState } | { violation: Violation };

function applyDestroy(state: ModelState, event: Destroyed): Outcome {
  const conn = findConn(state, event.id);
  if (conn === undefined) {
    return { violation: violation('destroyed-unexpectedly', event.at, `connection #${event.id} was destroyed at ${event.at} ms, but the pool never handed it out or opened it`, event.id) };
  }
  if (conn.state === 'gone') {
    return { violation: violation('destroyed-twice', event.at, `connection #${conn.id} was destroyed twice: at ${conn.goneAt} ms and again at ${event.at} ms`, conn.id) };
  }
  const window = windowOf(state, conn);
  if (window === null) {
    const kind = conn.state === 'busy' ? 'destroyed-in-use' : 'destroyed-unexpectedly';
    return { violation: violation(kind, event.at, `connection #${conn.id} was destroyed at ${event.at} ms, but ${whyNoWindow(state, conn)} (declared: ${describeSemantics(state.semantics)})`, conn.id) };
  }
  if (event.at < window.from) {
    // One the server ended unheard stays until its expiry or its check: a pool that closed it on the break heard of it.
    const unheard = conn.broken === true ? `; the server had ended it, and the declared brokenIdle: 'unnoticed' keeps it idle until its expiry or its check, while a pool that closes it as it breaks is brokenIdle: true` : '';
    return { violation: violation('expired-early', event.at, `${idleStory(conn)}, was destroyed ${window.from - event.at} ms early: at ${event.at} ms, not before ${window.from} ms (declared: ${window.reason})${unheard}`, conn.id) };
  }
  // A reaper's run is due at an instant the model does not know, at latest when it ran: a connect
  // that landed by then may have landed first, and counts.
  const runDue = state.semantics.expiry.kind === 'reaper' ? event.at : dueOf(state, conn);
  const floor = minOf(state.semantics).floor === 'none' ? Infinity : state.semantics.expiry.kind === 'reaper' ? runFloor(state, conn, event.at) : floorAtExpiry(state, conn, event.at, runDue);
  if (window.cause === 'expiry' && floor <= state.config.minSize) {
    const counted = minOf(state.semantics).floor === 'size' ? 'open' : 'idle';
    return { violation: violation('floor-broken', event.at, `${idleStory(conn)}, expired at ${event.at} ms although only ${floor} connection(s) were ${counted} and the declared min floor is ${state.config.minSize} (declared: ${describeSemantics(state.semantics)})`, conn.id) };
  }
  const gone = replaceConn(state, withConn(conn, { state: 'gone', goneAt: event.at }));
  // A connection closed for failing its validation is lost as a discarded one is.
  const expired = window.cause === 'expiry' || window.cause === 'reaped';
  const why = expired ? 'after-expiry' : window.cause === 'discarded' || window.cause === 'broken' || window.cause === 'invalid' || window.cause === 'check-timed-out' || window.cause === 'check-aborted' ? 'after-discard' : null;
  const what = expired ? 'expired' : window.cause === 'broken' ? 'broke' : window.cause === 'invalid' ? 'failed its validation' : window.cause === 'check-timed-out' ? 'was closed under check at its acquire\'s deadline' : window.cause === 'check-aborted' ? 'was closed under check as its acquire was aborted' : 'was discarded';
  const failingAtRun = expired && state.semantics.expiry.kind === 'reaper' ? failedAfterRun(state, event) : 0;
  return { state: why === null ? gone : owesRefill(gone, event.at, why, `connection #${conn.id} ${what}`, false, failingAtRun, checkSeen(conn)) };
}

/**
 * What a failed async check had seen when it answered, for the refill its close calls for: the
 * acquires' connects that had failed at once, and, for one that took time, its timer. A check
 * answered in the call that began it (`inCall`) is a synchronous one's. For any discard, the
 * connects its refill began that were refused at once (`refillRefused`).
 */
function checkSeen(conn: ModelConn): { failedSeen?: number; timer?: { due: number; order: number }; inCall?: true; refillRefused?: number } {
  const doomed = conn.doomed;
  if (doomed === null) return {};
  // The refill's own connects refused at once, whatever the discard.
  const own = doomed.refillRefused === undefined ? {} : { refillRefused: doomed.refillRefused };
  if (doomed.cause !== 'invalid') return own;
  if (doomed.timer === undefined && doomed.failedSeen === undefined) return { inCall: true, ...own };
  const timer = doomed.timer?.order === undefined ? {} : { timer: { due: doomed.timer.due, order: doomed.timer.order } };
  return { ...(doomed.failedSeen === undefined ? {} : { failedSeen: doomed.failedSeen }), ...timer, ...own };
}

/**
 * A reaper's run whose due instant the model only bounds closed a connection at `event.at`; the
 * connects begun earlier that failed at that instant after it, in the log's order, were still in
 * flight when the run decided its refill (generic-pool's `_ensureMinimum` counts every create in
 * flight, Pool.js:345-354, 680-682), and were not tried again for the min.
 */
function failedAfterRun(state: ModelState, event: Destroyed): number {
  if (event.failuresAfter === undefined) return 0;
  const failed = state.failedConnects.filter((f) => f.stays !== true && f.at === event.at && f.startedAt < event.at).length;
  return Math.min(failed, event.failuresAfter);
}

/** Whether a declared min floor keeps `conn` when its expiry comes due at `at`. */
function floorKeeps(state: ModelState, conn: ModelConn, at: number, due: number | { readonly fewestSince: number } = dueOf(state, conn)): boolean {
  return minOf(state.semantics).floor !== 'none' && floorAtExpiry(state, conn, at, due) <= state.config.minSize;
}

/**
 * What the floor counted at the reaper's run that took `conn` at `at`. The run was due at an
 * instant the model does not know, at latest `at` (overdue at a blocked loop's wake, even before
 * the connection was eligible: it reads the clock as it runs): a connect that landed at `at` may
 * have landed before it, and one that failed at `at` may have failed after it (a slow connect's
 * timer due after the overdue run's). The run took the connection rightly if either order leaves
 * the floor above min, so the most the floor may have counted counts.
 */
function runFloor(state: ModelState, conn: ModelConn, at: number): number {
  let most = floorAtExpiry(state, conn, at, at);
  for (const f of state.failedConnects) if (f.stays !== true && f.at === at) most = Math.max(most, floorAtExpiry(state, conn, at, f.due - 0.5));
  return most + closedByCheckTimerAt(state, at);
}

/**
 * Connections under check closed at `at` by a timer (their acquire's deadline, or their check's
 * failing reply), which a size floor counts: the run may have come before that timer.
 */
function closedByCheckTimerAt(state: ModelState, at: number): number {
  if (minOf(state.semantics).floor !== 'size') return 0;
  let n = 0;
  for (const c of state.conns) if (c.state === 'gone' && c.goneAt === at && (c.doomed?.cause === 'check-timed-out' || (c.doomed?.cause === 'invalid' && c.doomed.timer !== undefined))) n++;
  return n;
}

/** What the floor counts when `conn`'s expiry comes due; an idle floor under per-connection timers, as {@link idleFloorAtExpiry} says. */
function floorAtExpiry(state: ModelState, conn: ModelConn, at: number, due: number | { readonly fewestSince: number }): number {
  if (typeof due === 'object' || minOf(state.semantics).floor !== 'idle' || state.semantics.expiry.kind !== 'timer') return floorCount(state, at, due, conn.idleSeq);
  return idleFloorAtExpiry(state, at, due, conn.idleSeq);
}

/**
 * A connect that took the pending faults began at `event.at`, and the model, which still holds
 * those faults, predicted no connect to take them: the pool began it on its own. A pool that
 * refills on its reaper's runs begins its refill's connects at a run, whose instant the model
 * only bounds by the run's window; the connector tells it. From here the connect is the model's
 * like a refill begun at an expiry: in flight (counted in size), landing idle, or failing and not
 * tried again until the next run. Where no refill was due then, the pool opened what nobody asked
 * for, as a create would show.
 */
function applyBegin(state: ModelState, event: Opened): Outcome {
  if (!state.failNext && state.connectDelay === 0) return { state };
  if (state.phase !== 'open' || !refillAllowed(state, event.at)) {
    return { violation: violation('unexpected-create', event.at, `the pool began a connect at ${event.at} ms, which no acquire asked for and no refill to the min of ${state.config.minSize} called for (${floorCount(state, event.at)} ${minOf(state.semantics).floor === 'idle' ? 'idle' : 'open'}; declared: ${describeMin(minOf(state.semantics))})`) };
  }
  return { state: connectForNobody(state, event.at, true) };
}

function applyOpen(state: ModelState, event: Opened): Outcome {
  // At one instant (a blocked loop's wake), connects land in the order their timers fire: an
  // abandoned connect that landed before an aborted acquire's is the first create logged then.
  const first = state.landedUnasked[0];
  const orphan = state.orphans.find((o) => o.at === event.at && !(first?.at === event.at && first.seq !== undefined && first.seq <= o.seq));
  if (orphan !== undefined) {
    // It landed for an aborted acquire: kept idle as if released, or closed at once.
    const conn: ModelConn = { id: event.id, state: 'idle', createdAt: event.at, idleSince: event.at, idleSeq: orphan.seq, kept: false, keptAt: null, goneAt: null, doomed: orphan.fate === 'closed' ? { at: event.at, cause: 'abandoned' } : null, orphan: true, checkedBack: undefined, leftIdle: undefined, broken: undefined };
    return { state: withState(state, { conns: [...state.conns, conn], orphans: state.orphans.filter((o) => o !== orphan) }) };
  }
  const landing = state.landedUnasked[0];
  // A new connection still under check: named now, it stays under check.
  if (landing !== undefined && landing.at <= event.at && landing.fate === 'checking') return { state: freshCheckNamed(state, landing.check as number, event.id, event.at) };
  if (landing?.checking !== undefined && landing.at <= event.at) return { state: checkedConnOpened(state, landing.checking, event) };
  if (landing !== undefined && landing.at <= event.at) {
    // Counted as the connect it was until now: from here it is a connection of its own.
    const entry = state.failedConnects.findIndex((f) => f.stays === true && f.at === landing.at);
    const failedConnects = entry < 0 ? state.failedConnects : state.failedConnects.filter((_, i) => i !== entry);
    return { state: landedConn(withState(state, { landedUnasked: state.landedUnasked.slice(1), failedConnects }), event, landing.fate as 'closed' | 'idle', landing.armed ?? true, landing.invalid, landing.fate === 'idle' ? landing.seq : undefined, landing.cause, landing.closedAt, landing.idleFrom) };
  }
  const refill = landingRefill(state, event.at);
  if (refill !== undefined && !refill.fails) {
    // A refill's slow connect, begun earlier in this step, landed: idle, as one opened for the min,
    // ranked below a connect the model already saw land later in the step.
    const rest = withState(state, { connecting: state.connecting.filter((c) => c !== refill) });
    return { state: landedConn(rest, event, 'idle', state.semantics.armsOn === 'release-and-create', undefined, checkedBackWith(state, event.at) ?? seqLandedAt(state, event.at)) };
  }
  if (state.phase !== 'open' || !refillAllowed(state, event.at)) {
    const min = minOf(state.semantics);
    const refills = min.refill.length > 0 || min.opens === 'first-acquire';
    const why = !refills ? '' : state.refillOwed === null ? ` and nothing since the last one called for a refill to the min of ${state.config.minSize} (declared: ${describeMin(min)})` : ` and the min of ${state.config.minSize} was already reached (${floorCount(state, event.at)} ${min.floor === 'idle' ? 'idle' : 'open'})`;
    return { violation: violation('unexpected-create', event.at, `the pool opened connection #${event.id} at ${event.at} ms, which no acquire asked for${why}`, event.id) };
  }
  const armed = state.semantics.armsOn === 'release-and-create';
  const conn: ModelConn = { id: event.id, state: 'idle', createdAt: event.at, idleSince: armed ? event.at : null, idleSeq: checkedBackWith(state, event.at) ?? seqLandedAt(state, event.at), kept: false, keptAt: null, goneAt: null, doomed: null, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined };
  return { state: refillOpened(withState(state, { conns: [...state.conns, conn], nextIdleSeq: state.nextIdleSeq + 1 })) };
}

/**
 * Where a check that serves the queue head passed a connection back to idle at `at`, the rank a
 * refill's connection landing then shares with it: whether the refill's connect or the check's
 * reply came first follows the order of the reaper's run and the check's timer, which the model
 * does not keep, and the log says which the pool took. Below one passed back later in the step.
 * `undefined` where none was passed back then or later.
 */
function checkedBackWith(state: ModelState, at: number): number | undefined {
  let before: number | undefined;
  for (const c of state.conns) {
    if (c.state !== 'idle' || c.checkedBack?.queue !== true) continue;
    if (c.checkedBack.at === at) return c.idleSeq;
    // One passed back later in the step ranks after the landing, though it took its rank first.
    if (c.checkedBack.at > at) before = Math.min(before ?? Infinity, c.idleSeq - 0.5);
  }
  return before === undefined ? undefined : Math.min(before, seqLandedAt(state, at));
}

/**
 * The reuse rank of a connection that landed idle at `at`, learnt only now from the log: below
 * the slow connects that landed after it in this step, which took their rank as they landed.
 */
function seqLandedAt(state: ModelState, at: number): number {
  let later = Infinity;
  for (const l of state.landedUnasked) if (l.fate === 'idle' && l.seq !== undefined && l.at > at) later = Math.min(later, l.seq);
  // So did a connection that landed later for an aborted acquire, kept idle.
  for (const o of state.orphans) if (o.fate === 'idle' && o.at > at) later = Math.min(later, o.seq);
  return later === Infinity ? state.nextIdleSeq : later - 0.5;
}

/**
 * A connect whose acquire gave up (or a refill's) landed: closed at once, or idle from then on, as
 * a release is (`armed`), or as a connection opened for the min is. The pool never lent it.
 */
function landedConn(state: ModelState, event: Opened, fate: 'closed' | 'idle', armed: boolean, invalid?: true, seq = state.nextIdleSeq, cause?: DoomCause, closedAt = event.at, idleFrom = event.at): ModelState {
  // One that failed the check of a new connection is closed as any that fails its check is.
  // One a reaper's run closed went at an instant the model bounds: from its landing until `closedAt`.
  const doomed = fate === 'closed' ? { at: closedAt, cause: cause ?? (invalid === true ? ('invalid' as const) : ('abandoned' as const)), ...(cause === 'reaped' ? { from: event.at } : {}) } : null;
  const conn: ModelConn = { id: event.id, state: 'idle', createdAt: event.at, idleSince: armed ? idleFrom : null, idleSeq: seq, kept: false, keptAt: null, goneAt: null, doomed, orphan: undefined, checkedBack: undefined, leftIdle: undefined, broken: undefined };
  return withState(state, { conns: [...state.conns, conn], nextIdleSeq: state.nextIdleSeq + 1 });
}

function applyWindowEnd(state: ModelState, conn: ModelConn, window: Window): Outcome {
  // A reaper's run may have been due before what else fired at that instant: the floor kept the
  // connection if it may have counted few enough.
  const runDue = state.semantics.expiry.kind === 'reaper' ? { fewestSince: window.from } : dueOf(state, conn);
  if (window.cause === 'expiry' && floorKeeps(state, conn, window.to, runDue)) {
    // The floor keeps it. A per-connection timer does not come back, so it stays until next used;
    // a reaper looks again on its next run.
    return { state: replaceConn(state, withConn(conn, { kept: true, keptAt: window.to })) };
  }
  const late = state.now - window.to;
  if (window.cause === 'discarded') {
    return { violation: violation('not-discarded', state.now, `connection #${conn.id} was discarded by its holder at ${window.to} ms but was still open at ${state.now} ms; a discarded connection must be closed at once`, conn.id) };
  }
  if (window.cause === 'invalid') {
    return { violation: violation('kept-invalid', state.now, `connection #${conn.id} failed its validation at ${window.to} ms but was still open at ${state.now} ms; a connection that fails its validation must be closed at once`, conn.id) };
  }
  if (window.cause === 'abandoned' && conn.orphan === true) {
    return { violation: violation('kept-abandoned', state.now, `connection #${conn.id} landed at ${window.to} ms for an acquire that was aborted, and is still open at ${state.now} ms; the declared semantics close such a connection at once (declared: abort.lateConnection 'closed')`, conn.id) };
  }
  if (window.cause === 'broken') {
    return { violation: violation('kept-broken', state.now, `connection #${conn.id} was ended by the server at ${window.to} ms while idle, but the pool still held it open at ${state.now} ms; a broken idle connection must be dropped at once`, conn.id) };
  }
  if (window.cause === 'check-timed-out') {
    return { violation: violation('abandoned-kept', state.now, `connection #${conn.id} was under check for an acquire whose deadline came at ${window.to} ms, and was still open at ${state.now} ms; the declared lateCheck closes it at the deadline (declared: ${describeTimeoutRules(state.semantics)})`, conn.id) };
  }
  if (window.cause === 'check-aborted') {
    return { violation: violation('abandoned-kept', state.now, `connection #${conn.id} was under check for an acquire aborted at ${window.to} ms, and was still open at ${state.now} ms; the declared abort.lateCheck closes it then`, conn.id) };
  }
  if (window.cause === 'abandoned') {
    return { violation: violation('abandoned-kept', state.now, `connection #${conn.id} landed at ${window.to} ms after its acquire had given up on the connect, and was still open at ${state.now} ms; the declared lateConnect closes it as it lands (declared: ${describeTimeoutRules(state.semantics)})`, conn.id) };
  }
  if (window.cause === 'close') {
    return { violation: violation('close-incomplete', state.now, `connection #${conn.id} was still open at ${state.now} ms, ${late} ms after ${window.reason} at ${window.to} ms`, conn.id) };
  }
  const by = late > 0 ? ` by ${late} ms` : '';
  return { violation: violation('outlived', state.now, `${idleStory(conn)}, outlived its ${describeLifetime(state)}${by}: still open at ${state.now} ms, due to close at ${window.to} ms (declared: ${window.reason})`, conn.id) };
}

/**
 * Two destroys at one instant, in the order their timers fired, where both came from a timer: an
 * expiry (due at idle + lifetime, set when it became idle) and a failed check that took time
 * (due when the check was). A floor's decision on the expiry depends on whether the other
 * connection was still open. 0 when that does not apply.
 */
function timerOrder(state: ModelState, a: { kind: string; id: number }, b: { kind: string; id: number }): number {
  if (a.kind !== 'destroy' || b.kind !== 'destroy' || state.semantics.expiry.kind !== 'timer') return 0;
  const key = (id: number): readonly [number, number] | null => {
    const conn = findConn(state, id);
    if (conn === undefined) return null;
    if (conn.doomed?.timer !== undefined) return [conn.doomed.timer.due, conn.doomed.timer.seq];
    if (conn.doomed === null && conn.state === 'idle' && conn.idleSince !== null) return [dueOf(state, conn), conn.idleSeq];
    return null;
  };
  const ka = key(a.id);
  const kb = key(b.id);
  if (ka === null || kb === null) return 0;
  // At one due time and seq, an expiry was set first: a check's seq is the next idle seq when it began.
  return ka[0] - kb[0] || ka[1] - kb[1];
}

/** When a connection's expiry was due, before any block delayed it. */
function dueOf(state: ModelState, conn: ModelConn): number {
  return (conn.idleSince ?? 0) + (lifetimeOf(state) ?? 0);
}

/** `5000 ms lifetime`, or for a configured 0, what the pool declares it means. */
function describeLifetime(state: ModelState): string {
  const lifetime = lifetimeOf(state) ?? 0;
  if (state.config.lifetimeMs > 0) return `${lifetime} ms lifetime`;
  return `${lifetime} ms lifetime (a configured 0 is declared as ${lifetime === 0 ? 'due at once' : `a default of ${lifetime} ms`})`;
}

function idleStory(conn: ModelConn): string {
  if (conn.orphan === true && conn.idleSince === conn.createdAt) return `connection #${conn.id}, kept idle since it landed at ${conn.createdAt} ms for an aborted acquire (declared: abort.lateConnection 'idle')`;
  const since = conn.idleSince === null ? '' : `, idle since ${conn.idleSince} ms`;
  return `connection #${conn.id}${since}`;
}
