import fc from 'fast-check';
import { capabilitiesOf, type Capabilities, type PoolConfig, type ReaperExpiry, type Semantics } from '../../src/model/semantics.js';
import type { ViolationKind } from '../../src/model/violation.js';

/** A wrong declaration, the violation it must fail with, and other ways it may show first. */
export type WrongDeclaration = readonly [name: string, semantics: Semantics, kind: ViolationKind, message: RegExp, alternatives?: readonly (readonly [ViolationKind, RegExp])[]];

/**
 * Declarations that are wrong for a pool with a LIFO reaper that runs every `intervalMs`, keeps a
 * min floor, hands idle connections out synchronously, opens nothing at creation and closes idle
 * connections only after the last release (tarn and sequelize-pool): each must fail, and say why.
 */
export function wrongForLifoReaper(declared: Semantics): WrongDeclaration[] {
  if (declared.expiry.kind !== 'reaper') throw new Error('poolcheck test support: these declarations are wrong only for a reaper');
  const reaper: ReaperExpiry = declared.expiry;
  const every = reaper.intervalMs;
  return [
    // The reaper runs once an interval, so a connection outlives the instant a timer would close it.
    ['a per-connection timer', { ...declared, expiry: { kind: 'timer' } }, 'outlived', /outlived its \d+ ms lifetime.*declared: per-connection timer/],
    ['a reaper twice as frequent', { ...declared, expiry: { ...reaper, intervalMs: every / 2 } }, 'outlived', new RegExp(`outlived its \\d+ ms lifetime.*declared: reaper every ${every / 2} ms`)],
    // The reaper keeps `min` connections, however long idle.
    ['no min floor', { ...declared, minFloor: 'none' }, 'outlived', new RegExp(`outlived its \\d+ ms lifetime.*declared: reaper every ${every} ms`)],
    // The floor counts open connections, in use ones too: one counting only idle ones would keep
    // an idle connection the pool rightly expires while others are in use, and, where the pool
    // refills after a discard, would open new ones while others are in use.
    ['a floor on idle connections', { ...declared, minFloor: 'idle' }, 'floor-broken', /expired at \d+ ms although only \d+ connection\(s\) were idle and the declared min floor is [1-3] \(declared: .*min floor on idle connections/, [
      ['min-not-refilled', /was discarded at \d+ ms the pool had \d+ connection\(s\) idle, below its min of [1-3], and did not open connections back up to it .*declared: min floor on idle connections, refilled after-discard/],
      // The same refill, begun as a slow connect: counted in size, which the pool never reaches.
      ['count-mismatch', /^the pool reported idle=\d+ size=\d+ waiting=\d+, the model expected idle=\d+ size=\d+ waiting=\d+$/],
    ]],
    // An acquire issued as a blocked loop wakes takes the idle connection before the overdue run.
    ['a macrotask hand-off', { ...declared, handoff: 'macrotask' }, 'outlived', /outlived its \d+ ms lifetime/],
    ['opening min on create', { ...declared, minOpens: 'on-create' }, 'unexpected-create', /creating the pool opened 0 connection\(s\); the declared semantics expect [1-9]/],
    ['FIFO reuse', { ...declared, reuse: 'fifo' }, 'wrong-connection', /^acquire #\d+ should reuse #\d+( or #\d+)* \((LIFO|FIFO)\), got #\d+$/],
    // Idle connections stay open until the last one in use is released.
    ['a close that takes idle connections at once', { ...declared, gracefulClose: 'idle-at-once' }, 'close-incomplete', /was still open at \d+ ms, \d+ ms after the pool was closed/],
  ];
}

/**
 * One connection with a lifetime of one to five whole reaper intervals. Only a run that lands on
 * the very millisecond a connection becomes due tells `>` from `>=`; with whole intervals, a
 * connection released as the reaper starts, or at a run, is due exactly at a later run.
 */
export function wholeIntervalLifetimes(intervalMs: number): fc.Arbitrary<PoolConfig> {
  return fc.record({ minSize: fc.constant(0), maxSize: fc.constant(1), lifetimeMs: fc.integer({ min: 1, max: 5 }).map((k) => k * intervalMs) });
}

/**
 * A capability the pool lacks, claimed: the declaration with `change` applied to its capabilities,
 * the violation kind the claim must fail with, the message that explains it, and a seed that finds
 * it within a few runs (each is also caught with the seeds next to it).
 */
export interface WrongCapability {
  readonly claim: string;
  readonly semantics: Semantics;
  readonly kind: ViolationKind;
  readonly message: RegExp;
  readonly seed: number;
  /** Why the pool does something else, in one line, for the test's name. */
  readonly why: string;
  /** The configurations to draw, where not the default ones. */
  readonly configs?: fc.Arbitrary<PoolConfig>;
}

/** `declared` with its capabilities changed by `change`. */
export function claiming(declared: Semantics, change: Partial<Capabilities>): Semantics {
  return { ...declared, capabilities: { ...capabilitiesOf(declared), ...change } };
}

/**
 * The claim that connects serve the acquire that started them, with `change` besides.
 * `closeDuringConnect: 'lands-idle'` (and terminate's) speaks of connects that serve the queue head,
 * so it goes.
 */
export function claimingItsAcquire(declared: Semantics, change: Partial<Capabilities> = {}): Semantics {
  const { closeDuringConnect: _landsIdle, terminateDuringConnect: _terminateLandsIdle, ...caps } = capabilitiesOf(declared);
  return { ...declared, capabilities: { ...caps, connectServes: 'its-acquire', ...change } };
}

/** The claim that a pool which keeps a broken idle connection drops it, which every such pool fails the same way. */
export function claimingBrokenIdle(declared: Semantics, seed: number, why: string): WrongCapability {
  return {
    claim: 'brokenIdle',
    semantics: claiming(declared, { brokenIdle: true }),
    kind: 'kept-broken',
    message: /^connection #\d+ was ended by the server at \d+ ms while idle, but the pool still held it open at \d+ ms; a broken idle connection must be dropped at once$/,
    seed,
    why,
  };
}
