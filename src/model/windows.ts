import { normalizeGracefulClose } from './semantics.js';
import { expiryEnabled, lifetimeOf, type DoomCause, type ModelConn, type ModelState } from './state.js';

/**
 * When a live connection must be destroyed, as an interval of virtual time. A per-connection
 * timer gives a window of one instant (`from === to`); a reaper gives a wider one. The reason is
 * printed with any violation of the window.
 */
export interface Window {
  readonly from: number;
  readonly to: number;
  readonly cause: 'expiry' | 'close' | DoomCause;
  readonly reason: string;
}

/**
 * The window in which `conn` must go, or `null` when nothing may destroy it now (it is busy, its
 * expiry is disabled, or a floor kept it).
 */
export function windowOf(state: ModelState, conn: ModelConn): Window | null {
  if (conn.state === 'gone') return null;
  if (conn.doomed !== null) {
    // 'abandoned' is either kind of connect that landed for nobody: its acquire aborted, or given up on.
    const reason = conn.doomed.cause === 'abandoned' && conn.orphan !== true ? 'its acquire had given up on its connect' : DOOM_REASONS[conn.doomed.cause];
    return { from: conn.doomed.from ?? conn.doomed.at, to: conn.doomed.at, cause: conn.doomed.cause, reason };
  }
  if (state.closingAt !== null && (conn.state === 'idle' || state.phase === 'closed')) {
    // A connection released while the pool closes cannot go before its release.
    const from = Math.max(state.closingAt, state.awakeSince, conn.idleSince ?? 0);
    const close = normalizeGracefulClose(state.semantics.gracefulClose);
    if (typeof close === 'object' && state.terminatedAt === null) {
      return { from, to: from + close.withinMs, cause: 'close', reason: `the bound of the pool's close timer (${close.withinMs} ms after the close, or after the release)` };
    }
    // A terminate that lets the connects in flight land closes everything by the last landing.
    if (state.terminatedAt !== null && state.closedAt !== state.terminatedAt) {
      const to = state.closedAt === null ? Infinity : Math.max(state.closedAt, state.awakeSince);
      return { from, to, cause: 'close', reason: 'the pool was terminated and the last connect in flight landed' };
    }
    // After terminate, even a connection that lands later goes the instant it lands.
    if (close !== 'after-last-release' || state.terminatedAt !== null) return { from, to: from, cause: 'close', reason: 'the pool was closed' };
    // Everything goes together once nothing is in use: until then the window stays open.
    const to = state.closedAt === null ? Infinity : Math.max(state.closedAt, state.awakeSince);
    return { from, to, cause: 'close', reason: 'the pool was closed and the last connection in use was released' };
  }
  const lifetime = lifetimeOf(state);
  if (conn.state !== 'idle' || conn.idleSince === null || lifetime === null) return null;
  const due = conn.idleSince + lifetime;
  const expiry = state.semantics.expiry;
  if (expiry.kind === 'timer') {
    if (conn.kept) return null;
    // A timer that came due while the loop was blocked fires when the loop wakes.
    const at = Math.max(due, state.awakeSince);
    return { from: at, to: at, cause: 'expiry', reason: 'per-connection timer' };
  }
  if (state.reaperStartedAt === null) return null;
  // `>` needs the idle time past the lifetime: with whole milliseconds, one more.
  const eligible = Math.max(expiry.compare === '>' ? due + 1 : due, state.reaperStartedAt);
  // A run comes at most one interval after the connection is eligible; a run that caps how many
  // it looks at may need one run per `maxPerRun` idle connections; runs that came due while the
  // loop was blocked happen once, when it wakes, and the rest follow one interval apart; a floor
  // that kept the connection defers it a run.
  const runs = expiry.maxPerRun === null ? 1 : Math.ceil(state.config.maxSize / expiry.maxPerRun);
  const afterWake = state.awakeSince + (runs - 1) * expiry.intervalMs;
  // A reaper that may have stopped on an empty pool runs again only once an acquire is served.
  const restarted = state.reaperRestartedAt === undefined ? -Infinity : state.reaperRestartedAt + runs * expiry.intervalMs;
  const stopped = state.reaperMayHaveStopped === undefined ? -Infinity : Infinity;
  const last = Math.max(eligible + runs * expiry.intervalMs, afterWake, conn.keptAt === null ? -Infinity : conn.keptAt + expiry.intervalMs, restarted, stopped);
  const cap = expiry.maxPerRun === null ? '' : `, at most ${expiry.maxPerRun} per run`;
  return { from: eligible, to: last, cause: 'expiry', reason: `reaper every ${expiry.intervalMs} ms, idle time ${expiry.compare} lifetime${cap}` };
}

const DOOM_REASONS: Readonly<Record<DoomCause, string>> = {
  discarded: 'its holder discarded it',
  broken: 'the server ended it while idle',
  invalid: 'it failed its validation',
  abandoned: 'it landed for an aborted acquire',
  'check-timed-out': "its acquire's deadline came during its check (lateCheck 'closed')",
  'check-aborted': "its acquire was aborted during its check (abort.lateCheck 'closed')",
  reaped: 'a reaper run closed it, idle past its lifetime, before the pool looked at its queue',
};

/** Why a live connection has no window now, for messages about unexpected destruction. */
export function whyNoWindow(state: ModelState, conn: ModelConn): string {
  if (conn.state === 'busy') return 'it was in use';
  if (conn.state === 'validating') return 'it was being validated for an acquire';
  if (conn.orphan === true && conn.idleSince === conn.createdAt) return `it landed at ${conn.createdAt} ms for an aborted acquire, and the declared semantics keep such a connection idle (abort.lateConnection 'idle')`;
  if (conn.kept && state.semantics.expiry.kind === 'timer') return `the min floor of ${state.config.minSize} kept it`;
  if (!expiryEnabled(state)) return 'a lifetime of 0 disables expiry';
  if (state.semantics.expiry.kind === 'reaper' && state.reaperStartedAt === null) return `the reaper had not started (it starts on ${state.semantics.expiry.startsOn})`;
  if (conn.idleSince === null) return 'nothing armed its expiry (it was created but never released)';
  return 'no expiry was due';
}
