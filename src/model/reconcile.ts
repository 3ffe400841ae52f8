import { describeSemantics } from './semantics.js';
import { findConn, lifetimeOf, replaceConn, sizeAt, type ModelConn, type ModelState } from './state.js';
import { violation, type Violation } from './violation.js';
import { whyNoWindow, windowOf, type Window } from './windows.js';

/** A destruction the connector logged. */
export interface Destroyed {
  readonly id: number;
  readonly at: number;
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
export function reconcile(state: ModelState, destroyed: readonly Destroyed[], opened: readonly Opened[] = []): Reconciled {
  const pending =
    destroyed.length + opened.length === 0
      ? []
      : [...destroyed.map((e) => ({ ...e, kind: 'destroy' as const })), ...opened.map((e) => ({ ...e, kind: 'open' as const }))].sort(
          (a, b) => a.at - b.at || (a.kind === b.kind ? a.id - b.id : a.kind === 'destroy' ? -1 : 1),
        );
  let s = state;
  for (;;) {
    const next = pending[0];
    const end = earliestWindowEnd(s);
    if (next !== undefined && (end === null || next.at <= end.window.to)) {
      pending.shift();
      const result = next.kind === 'destroy' ? applyDestroy(s, next) : applyOpen(s, next);
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
      return { state: s, violations: [] };
    }
  }
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
    return { violation: violation('expired-early', event.at, `${idleStory(conn)}, was destroyed ${window.from - event.at} ms early: at ${event.at} ms, not before ${window.from} ms (declared: ${window.reason})`, conn.id) };
  }
  if (window.cause === 'expiry' && state.semantics.min === 'floor' && sizeAt(state, event.at, dueOf(state, conn)) <= state.config.minSize) {
    return { violation: violation('floor-broken', event.at, `${idleStory(conn)}, expired at ${event.at} ms although only ${sizeAt(state, event.at, dueOf(state, conn))} connection(s) were open and the declared min floor is ${state.config.minSize} (declared: ${describeSemantics(state.semantics)})`, conn.id) };
  }
  return { state: replaceConn(state, { ...conn, state: 'gone', goneAt: event.at }) };
}

function applyOpen(state: ModelState, event: Opened): Outcome {
  if (state.semantics.min !== 'floor-refill' || state.phase !== 'open' || sizeAt(state, event.at) >= state.config.minSize) {
    return { violation: violation('unexpected-create', event.at, `the pool opened connection #${event.id} at ${event.at} ms, which no acquire asked for${state.semantics.min === 'floor-refill' ? ` and no refill to the min of ${state.config.minSize} needed (${sizeAt(state, event.at)} open)` : ''}`, event.id) };
  }
  const armed = state.semantics.armsOn === 'release-and-create';
  const conn: ModelConn = { id: event.id, state: 'idle', createdAt: event.at, idleSince: armed ? event.at : null, idleSeq: state.nextIdleSeq, kept: false, keptAt: null, goneAt: null, doomed: null };
  return { state: { ...state, conns: [...state.conns, conn], nextIdleSeq: state.nextIdleSeq + 1 } };
}

function applyWindowEnd(state: ModelState, conn: ModelConn, window: Window): Outcome {
  if (window.cause === 'expiry' && state.semantics.min === 'floor' && sizeAt(state, window.to, dueOf(state, conn)) <= state.config.minSize) {
    // The floor keeps it. A per-connection timer does not come back, so it stays until next used;
    // a reaper looks again on its next run.
    return { state: replaceConn(state, { ...conn, kept: true, keptAt: window.to }) };
  }
  const late = state.now - window.to;
  if (window.cause === 'discarded') {
    return { violation: violation('not-discarded', state.now, `connection #${conn.id} was discarded by its holder at ${window.to} ms but was still open at ${state.now} ms; a discarded connection must be closed at once`, conn.id) };
  }
  if (window.cause === 'broken') {
    return { violation: violation('kept-broken', state.now, `connection #${conn.id} was ended by the server at ${window.to} ms while idle, but the pool still held it open at ${state.now} ms; a broken idle connection must be dropped at once`, conn.id) };
  }
  if (window.cause === 'close') {
    return { violation: violation('close-incomplete', state.now, `connection #${conn.id} was still open at ${state.now} ms, ${late} ms after ${window.reason} at ${window.to} ms`, conn.id) };
  }
  const by = late > 0 ? ` by ${late} ms` : '';
  return { violation: violation('outlived', state.now, `${idleStory(conn)}, outlived its ${describeLifetime(state)}${by}: still open at ${state.now} ms, due to close at ${window.to} ms (declared: ${window.reason})`, conn.id) };
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
  const since = conn.idleSince === null ? '' : `, idle since ${conn.idleSince} ms`;
  return `connection #${conn.id}${since}`;
}
