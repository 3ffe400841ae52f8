/**
 * The expiry semantics a pool declares. Pools differ legitimately in how they expire idle
 * connections; the model reads these fields and never asks which library it is looking at.
 */

/** Each idle connection has its own timer that fires exactly at release + lifetime. */
export interface TimerExpiry {
  readonly kind: 'timer';
}

/** A periodic reaper destroys idle connections whose idle time passed the lifetime. */
export interface ReaperExpiry {
  readonly kind: 'reaper';
  /** How often the reaper runs, in ms. */
  readonly intervalMs: number;
  /** What starts the reaper's schedule. */
  readonly startsOn: 'pool-creation' | 'first-acquire' | 'first-release' | 'while-idle';
  /** `>`: idle time must exceed the lifetime; `>=`: reaching it is enough. */
  readonly compare: '>' | '>=';
  /** The most connections one run destroys; `null` for no limit. */
  readonly maxPerRun: number | null;
}

export type ExpiryTrigger = TimerExpiry | ReaperExpiry;

export interface Semantics {
  readonly expiry: ExpiryTrigger;
  /** What starts a connection's idle clock: only a release, or also its creation. */
  readonly armsOn: 'release' | 'release-and-create';
  /** Whether expiry keeps `minSize` connections: ignored, a floor, or a floor that refills. */
  readonly min: 'ignored' | 'floor' | 'floor-refill';
  /** Which idle connection an acquire gets: the most recently released, or the longest idle. */
  readonly reuse: 'lifo' | 'fifo';
  /**
   * How an acquire that finds an idle connection gets it. `microtask`: an acquire issued when a
   * blocked loop wakes beats the overdue expiry timers; `macrotask`: the overdue timers run first.
   */
  readonly handoff: 'microtask' | 'macrotask';
  /** What a lifetime of 0 means. */
  readonly zeroLifetime: 'disables' | 'rejected';
  /** Whether the pool opens `minSize` connections when it is created. */
  readonly opensMinOnCreate: boolean;
  /**
   * When a graceful close closes idle connections: at once, with each in-use one closed at its
   * release (`'idle-at-once'`, the default), or all together once the last in-use one is released
   * (`'after-last-release'`).
   */
  readonly gracefulClose?: 'idle-at-once' | 'after-last-release';
}

/** The configuration of one run, drawn by the generators. */
export interface PoolConfig {
  readonly minSize: number;
  readonly maxSize: number;
  /** Idle lifetime in ms; 0 means whatever `Semantics.zeroLifetime` says. */
  readonly lifetimeMs: number;
}

/** poolcheck's own pool in its default mode: asyncpg's semantics. */
export const asyncpgSemantics: Semantics = {
  expiry: { kind: 'timer' },
  armsOn: 'release-and-create',
  min: 'ignored',
  reuse: 'lifo',
  handoff: 'microtask',
  zeroLifetime: 'disables',
  opensMinOnCreate: true,
};

/** A one-line human description, used in violation messages ("declared: ..."). */
export function describeSemantics(s: Semantics): string {
  const trigger =
    s.expiry.kind === 'timer'
      ? 'per-connection timer'
      : `reaper every ${s.expiry.intervalMs} ms (${s.expiry.compare}, starts on ${s.expiry.startsOn})`;
  const min = s.min === 'ignored' ? 'min ignored' : s.min === 'floor' ? 'min as floor' : 'min as floor with refill';
  return `${trigger}, armed on ${s.armsOn}, ${min}, ${s.reuse.toUpperCase()}`;
}
