import { createRequire } from 'node:module';
import type FakeTimersModule from '@sinonjs/fake-timers';
import { DEFAULT_WAKE_PHASE, WAKE_PHASES, type WakePhase } from '../model/handoff.js';
import { settledOk, type Settled, type VirtualClock } from './clock.js';
import { drain } from './drain.js';
import { waitForExternal, type ExternalWork, type Quiet } from './real.js';

// CommonJS, so `require`: a third of the CPU `import` takes on Node 20 (it scans each module's exports).
const FakeTimers = createRequire(import.meta.url)('@sinonjs/fake-timers') as typeof FakeTimersModule;


/**
 * Explicit: Date because reapers compare Date.now(); not nextTick or queueMicrotask, which stay
 * real so promise continuations run as on Node. `performance` and `hrtime` are left real by
 * default: no pool poolcheck ships adapters for reads them, and faking them costs about 90 µs per
 * run, a third of the clock's set-up. A pool that measures idle time with them must add them
 * through `FakeClockOptions.alsoFake`.
 */
export const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] as const;

export type ExtraFaked = 'performance' | 'hrtime';

/** Virtual time starts here, not at 0, so a pool that treats a 0 timestamp as "unset" still works. */
export const EPOCH = Date.UTC(2026, 0, 1);

export interface FakeClockOptions {
  /** Drains per settle before the run is declared not settled. */
  readonly maxSettleRounds?: number;
  /**
   * Timers fired at one virtual instant before the loop is declared a runaway. Timers spread over
   * time are not counted against it: a 1 ms reaper over a five-minute sleep is slow, not stuck.
   */
  readonly maxTimersPerInstant?: number;
  /** Time sources to fake beyond {@link FAKED}, for pools that read them. */
  readonly alsoFake?: readonly ExtraFaked[];
}

// fake-timers' timer record and heap are internal; poolcheck needs them to fire one timer at a time
// without the real 1 ms macrotask that `tickAsync` spends per timer, and to fire overdue timers in
// due order after a block (`jump` fires them in creation order). The shape is pinned by a test.
interface InternalTimer {
  callAt: number;
  order: number;
  createdAt: number;
  delay?: number;
  immediate?: boolean;
}
interface InternalHeap {
  timers: InternalTimer[];
  peek(): InternalTimer | undefined;
  push(t: InternalTimer): void;
  remove(t: InternalTimer): void;
}
type InstalledClock = ReturnType<ReturnType<typeof FakeTimers.withGlobal>['install']>;
type InternalClock = InstalledClock & { now: number; timerHeap?: InternalHeap };

const STUCK_AFTER_IDLE_DRAINS = 3;

const NOTHING_WAITED: Quiet = { ok: true, waited: false };

// One timers factory for the process: building it walks the global object, and it is the same
// for every run. Each run still installs its own clock from it.
let factory: ReturnType<typeof FakeTimers.withGlobal> | undefined;

const active = new Set<FakeVirtualClock>();

/*
 * Installing a fake-timers clock swaps a dozen globals and builds a fresh Date class: about a tenth
 * of a run's cost. Between the runs of one check() nothing else in the process uses the timers, so
 * check() keeps one clock installed for all its runs, and each run resets it (no timer, now back at
 * the epoch), which is the same start as a fresh install. The real timers come back when the last
 * holder lets go, and `uninstallAllClocks` (an `afterEach`) restores them even if a test timed out
 * while holding the clock.
 */
interface Kept {
  clock: InternalClock | null;
  holders: number;
}
let kept: Kept | null = null;

/**
 * Keeps the fake clock installed between runs until the returned function is called: each
 * {@link installFakeClock} until then resets it instead of installing another. Runs must still
 * not overlap. For a caller that does many runs in a row, such as check().
 */
export function keepFakeClockInstalled(): () => void {
  const mine = (kept ??= { clock: null, holders: 0 });
  mine.holders++;
  let released = false;
  return () => {
    if (released || kept !== mine) return;
    released = true;
    if (--mine.holders > 0) return;
    kept = null;
    mine.clock?.uninstall();
  };
}

/** Installs one fake clock on the global object for one run. Throws if another run's clock is installed. */
export function installFakeClock(options: FakeClockOptions = {}): FakeVirtualClock {
  if (active.size > 0) {
    throw new Error('poolcheck clock: a fake clock is already installed; runs in one process must not overlap (uninstall the previous run first)');
  }
  const clock = new FakeVirtualClock(options);
  active.add(clock);
  return clock;
}

/** Uninstalls every clock still installed. For `afterEach`, since a timed-out test skips its `finally`. */
export function uninstallAllClocks(): void {
  for (const clock of active) clock.uninstall();
  const held = kept;
  kept = null;
  held?.clock?.uninstall();
}

/** A fresh fake-timers clock, or the kept one reset to a fresh clock's state. */
function startClock(alsoFake: readonly ExtraFaked[]): { clock: InternalClock; owned: boolean } {
  factory ??= FakeTimers.withGlobal(globalThis);
  // A run that fakes more than the default gets a clock of its own.
  if (kept !== null && alsoFake.length === 0) {
    if (kept.clock === null) kept.clock = factory.install({ now: EPOCH, toFake: [...FAKED], shouldClearNativeTimers: true }) as InternalClock;
    else kept.clock.reset();
    return { clock: kept.clock, owned: false };
  }
  const clock = factory.install({ now: EPOCH, toFake: [...FAKED, ...alsoFake], shouldClearNativeTimers: true }) as InternalClock;
  return { clock, owned: true };
}

export class FakeVirtualClock implements VirtualClock {
  private readonly clock: InternalClock;
  /** False when the clock is the one check() keeps installed: then uninstalling leaves it to check(). */
  private readonly owned: boolean;
  private readonly maxSettleRounds: number;
  private readonly maxTimersPerInstant: number;
  private installed = true;
  /** An exception a timer callback threw; in a real process that would be an uncaught exception. */
  private timerError: { error: unknown } | null = null;
  /** Real work (a server's I/O) every drain waits for; none for pg-mem, which then pays nothing. */
  private external: ExternalWork | undefined;
  /** The timers due when the loop was last blocked, which its wake fires first. */
  private dueOnWake = new Set<InternalTimer>();
  readonly wakePhases: readonly WakePhase[] = WAKE_PHASES;

  constructor(options: FakeClockOptions) {
    this.maxSettleRounds = options.maxSettleRounds ?? 1000;
    this.maxTimersPerInstant = options.maxTimersPerInstant ?? 10_000;
    ({ clock: this.clock, owned: this.owned } = startClock(options.alsoFake ?? []));
  }

  now(): number {
    return this.clock.now - EPOCH;
  }

  /**
   * From now on every settle, sleep and wake waits, in real time and bounded, for `work` to finish
   * before it looks at timers or gives up, so real I/O takes no virtual time.
   */
  waitFor(work: ExternalWork): void {
    this.external = work;
  }

  async sleep(ms: number): Promise<Settled> {
    const target = this.clock.now + ms;
    const fired = await this.runDue(target);
    if (!fired.ok) return fired;
    // Every timer up to the target has fired and the last drain left nothing due, so moving `now`
    // skips nothing and there is nothing left to settle.
    this.clock.now = target;
    return settledOk;
  }

  blockSync(ms: number): void {
    // Moving `now` directly keeps every timer where it is: nothing fires, nothing is shifted.
    this.clock.now += ms;
    // The timers due by now are the ones the loop's timers phase runs on the wake; any the
    // blocking code sets from here on are due later on Node (a 0 ms timer is due in 1 ms).
    for (const timer of this.heap().timers) if (!timer.immediate && timer.callAt <= this.clock.now) this.dueOnWake.add(timer);
  }

  async wake(phase: WakePhase = DEFAULT_WAKE_PHASE): Promise<Settled> {
    const due = this.dueOnWake;
    this.dueOnWake = new Set();
    await drain();
    const quiet = this.external === undefined ? NOTHING_WAITED : await this.waitForExternal(this.external);
    if (!quiet.ok) return quiet;
    const heap = this.heap();
    const overdue = [...due].filter((t) => heap.timers.includes(t)).sort((a, b) => a.callAt - b.callAt || a.order - b.order);
    // Negative orders put the overdue timers, in due order, before any timer due exactly now.
    overdue.forEach((timer, i) => {
      heap.remove(timer);
      timer.callAt = this.clock.now;
      timer.order = i - overdue.length;
      heap.push(timer);
    });
    // From here each part starts where the last one ended, just after a drain with nothing run
    // since: the microtask queue is empty, so it does not drain again first. With real I/O behind
    // the connector every part still drains first, for what the I/O delivered meanwhile.
    const drained = this.external === undefined;
    if (phase === 'io') {
      // The check phase comes first: the immediates queued so far, not the ones they queue.
      const checkPhase = new Set(heap.timers.filter((t) => t.immediate === true));
      const ran = await this.runOnly(checkPhase, drained);
      if (!ran.ok) return ran;
    }
    // Then the timers phase: only the timers that were due, however many immediates are queued.
    const ran = await this.runOnly(due, drained);
    if (!ran.ok) return ran;
    return this.settleFrom(() => true, drained);
  }

  /**
   * Fires the timers of `only` that are due now, in the heap's order, with the microtasks between
   * them, and nothing else: every other timer due now waits (fake-timers would run an immediate
   * before any other timer due at the same instant, whatever phase the loop is in).
   */
  private async runOnly(only: ReadonlySet<InternalTimer>, drained: boolean): Promise<Settled> {
    const heap = this.heap();
    const now = this.clock.now;
    const heldBack: InternalTimer[] = [];
    try {
      // It returns only just after a drain that nothing followed.
      for (let round = 0; ; round++) {
        if (round > 0 || !drained) await drain();
        for (const timer of heap.timers.filter((t) => t.callAt === now && !only.has(t))) {
          // Half a millisecond later: after every timer due now, before anything due at now + 1.
          heap.remove(timer);
          timer.callAt = now + 0.5;
          heap.push(timer);
          heldBack.push(timer);
        }
        const first = heap.peek();
        if (first === undefined || first.callAt !== now || !only.has(first)) return settledOk;
        const fired = this.fireNext();
        if (!fired.ok) return fired;
      }
    } finally {
      for (const timer of heldBack) {
        if (!heap.timers.includes(timer)) continue;
        heap.remove(timer);
        timer.callAt = now;
        heap.push(timer);
      }
    }
  }

  settle(done: () => boolean = () => true, quiet = false): Promise<Settled> {
    // With real I/O behind the connector, a drain is also where it delivers: never skipped then.
    return this.settleFrom(done, quiet && this.external === undefined);
  }

  /**
   * `drained`: called just after a drain that nothing followed, so the first round need not drain
   * again; it is not counted among the idle drains, so the bound is the same.
   */
  private async settleFrom(done: () => boolean, drained: boolean): Promise<Settled> {
    let idleDrains = 0;
    for (let round = 0; round < this.maxSettleRounds; round++) {
      const skipped = round === 0 && drained;
      if (!skipped) await drain();
      let first = this.heap().peek();
      // Real I/O completes in the poll phase, after every timer due now has run (see `runDue`).
      if (first === undefined || first.callAt > this.clock.now) {
        const quiet = this.external === undefined ? NOTHING_WAITED : await this.waitForExternal(this.external);
        if (!quiet.ok) return quiet;
        if (quiet.waited) idleDrains = 0;
        first = this.heap().peek();
      }
      if (first !== undefined && first.callAt <= this.clock.now) {
        idleDrains = 0;
        const fired = this.fireNext();
        if (!fired.ok) return fired;
        continue;
      }
      if (done()) return settledOk;
      // Nothing is due and the caller still waits: only a promise chain still unwinding can help,
      // so give it a few more drains before calling it stuck.
      if (!skipped && ++idleDrains > STUCK_AFTER_IDLE_DRAINS) {
        return { ok: false, reason: `nothing is due at ${this.now()} ms and the operation is still pending`, quiet: true };
      }
    }
    return { ok: false, reason: `still busy after ${this.maxSettleRounds} settle rounds at ${this.now()} ms` };
  }

  pendingTimers(): number {
    return this.clock.countTimers();
  }

  uninstall(): void {
    if (!this.installed) return;
    this.installed = false;
    if (this.owned) this.clock.uninstall();
    active.delete(this);
  }

  private async runDue(target: number): Promise<Settled> {
    let instant = this.clock.now;
    let firedHere = 0;
    for (;;) {
      await drain();
      let first = this.heap().peek();
      // As on Node, whose timers phase runs every timer due before the poll phase delivers I/O:
      // real I/O (a server's reply) is waited for only once no timer is due at this instant, so
      // it lands after every timer due then, and before time moves on.
      if (first === undefined || first.callAt > this.clock.now) {
        const quiet = this.external === undefined ? NOTHING_WAITED : await this.waitForExternal(this.external);
        if (!quiet.ok) return quiet;
        first = this.heap().peek();
      }
      if (first === undefined || first.callAt > target) return settledOk;
      if (first.callAt !== instant) {
        instant = first.callAt;
        firedHere = 0;
      }
      if (++firedHere > this.maxTimersPerInstant) {
        return { ok: false, reason: `more than ${this.maxTimersPerInstant} timers fired at ${instant - EPOCH} ms without time moving: a runaway timer loop` };
      }
      const fired = this.fireNext();
      if (!fired.ok) return fired;
    }
  }

  /**
   * After a drain, with real work behind the connector (a server's I/O): waits for it, bounded in
   * real time, so that it takes no virtual time. Called only then: pg-mem's runs skip even the await.
   */
  private waitForExternal(work: ExternalWork): Promise<Quiet> {
    return waitForExternal(work, () => this.now());
  }

  private fireNext(): Settled {
    try {
      this.clock.next();
    } catch (error) {
      this.timerError = { error };
    }
    this.undoTickDelay();
    if (this.timerError !== null) {
      const { error } = this.timerError;
      this.timerError = null;
      return { ok: false, reason: `a timer callback threw: ${error instanceof Error ? error.message : String(error)}`, error };
    }
    return settledOk;
  }

  /**
   * fake-timers schedules a zero-delay timer created inside a firing timer 1 ms late, to break
   * infinite loops; outside a timer it schedules the same call for now. On Node an immediate
   * created in a timer runs in the same loop turn, so poolcheck puts such timers back at now and
   * relies on its own bounds for runaway loops.
   */
  private undoTickDelay(): void {
    const heap = this.heap();
    const now = this.clock.now;
    // After every fired timer: the heap is walked without building a list unless one is late.
    let late: InternalTimer[] | null = null;
    for (const t of heap.timers) if (t.createdAt === now && t.callAt === now + 1 && !((t.delay ?? 0) > 0)) (late ??= []).push(t);
    if (late === null) return;
    for (const timer of late) {
      heap.remove(timer);
      timer.callAt = now;
      heap.push(timer);
    }
  }

  private heap(): InternalHeap {
    const heap = this.clock.timerHeap;
    if (heap === undefined) return EMPTY_HEAP;
    return heap;
  }
}

const EMPTY_HEAP: InternalHeap = {
  timers: [],
  peek: () => undefined,
  push: () => {
    throw new Error('poolcheck clock: no timer heap');
  },
  remove: () => undefined,
};
