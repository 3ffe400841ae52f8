import { expiryEnabled, type ModelConn, type ModelState } from './state.js';

/**
 * When a live connection must be destroyed, as an interval of virtual time. A per-connection
 * timer gives a window of one instant (`from === to`); a reaper gives a wider one. The reason is
 * printed with any violation of the window.
 */
export interface Window {
  readonly from: number;
  readonly to: number;
  readonly cause: 'expiry' | 'close';
  readonly reason: string;
}

/**
 * The window in which `conn` must go, or `null` when nothing may destroy it now (it is busy, its
 * expiry is disabled, or a floor kept it).
 */
export function windowOf(state: ModelState, conn: ModelConn): Window | null {
  if (conn.state === 'gone') return null;
  if (state.closingAt !== null && (conn.state === 'idle' || state.phase === 'closed')) {
    // A connection released while the pool closes goes at its release.
    const at = Math.max(state.closingAt, state.awakeSince, conn.idleSince ?? 0);
    return { from: at, to: at, cause: 'close', reason: 'the pool was closed' };
  }
  if (conn.state !== 'idle' || conn.kept || conn.idleSince === null || !expiryEnabled(state)) return null;
  const due = conn.idleSince + state.config.lifetimeMs;
  const expiry = state.semantics.expiry;
  if (expiry.kind === 'timer') {
    // A timer that came due while the loop was blocked fires when the loop wakes.
    const at = Math.max(due, state.awakeSince);
    return { from: at, to: at, cause: 'expiry', reason: 'per-connection timer' };
  }
  throw new Error(`poolcheck model: expiry kind '${expiry.kind}' is not supported yet`);
}

/** Why a live connection has no window now, for messages about unexpected destruction. */
export function whyNoWindow(state: ModelState, conn: ModelConn): string {
  if (conn.state === 'busy') return 'it was in use';
  if (conn.kept) return `the min floor of ${state.config.minSize} kept it`;
  if (!expiryEnabled(state)) return 'a lifetime of 0 disables expiry';
  if (conn.idleSince === null) return 'nothing armed its expiry (it was created but never released)';
  return 'no expiry was due';
}
