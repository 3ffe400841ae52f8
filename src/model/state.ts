import type { PoolConfig, Semantics } from './semantics.js';

/**
 * The reference model's state. Plain immutable data: every transition returns a new state, so a
 * reader can follow the expected behaviour of a pool from this folder alone.
 */

export type ConnState = 'idle' | 'busy' | 'gone';

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
}

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
  /** Every connection the pool ever opened, in creation order. */
  readonly conns: readonly ModelConn[];
  readonly phase: Phase;
  /** When close or terminate began. */
  readonly closingAt: number | null;
  /** When the pool had nothing in use any more after a close began, or was terminated. */
  readonly closedAt: number | null;
  readonly nextIdleSeq: number;
  /** When the reaper's schedule started, or null while it has not (semantics with a timer: unused). */
  readonly reaperStartedAt: number | null;
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
    nextIdleSeq: 1,
    reaperStartedAt: startsAtCreation(semantics) ? 0 : null,
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
  if (expiry.kind !== 'reaper' || expiry.startsOn !== event || state.reaperStartedAt !== null) return state;
  return { ...state, reaperStartedAt: state.now };
}

export function idleConns(state: ModelState): ModelConn[] {
  return state.conns.filter((c) => c.state === 'idle');
}

export function busyConns(state: ModelState): ModelConn[] {
  return state.conns.filter((c) => c.state === 'busy');
}

export function liveCount(state: ModelState): number {
  return state.conns.filter((c) => c.state !== 'gone').length;
}

export function findConn(state: ModelState, id: number): ModelConn | undefined {
  return state.conns.find((c) => c.id === id);
}


export function replaceConn(state: ModelState, next: ModelConn): ModelState {
  return { ...state, conns: state.conns.map((c) => (c.id === next.id ? next : c)) };
}

/** Whether the lifetime expires connections at all, under these semantics. */
export function expiryEnabled(state: ModelState): boolean {
  return state.config.lifetimeMs > 0;
}
