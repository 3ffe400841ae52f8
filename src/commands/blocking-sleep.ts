import type fc from 'fast-check';
import { formatCounters } from '../model/observe.js';
import { reconcile } from '../model/reconcile.js';
import { DEFAULT_WAKE_PHASE, handoffBeatsOverdue, type WakePhase } from '../model/handoff.js';
import { normalizeHandoff, validationOf, type Handoff } from '../model/semantics.js';
import { brokenIdleWaits } from '../model/unnoticed.js';
import { blocked, describeAcquirePrediction, predictAcquire } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';
import { checkAcquired } from './acquired.js';
import { describeSpec, resolveSleep, type ResolvedSleep, type SleepSpec } from './sleep-spec.js';

/**
 * A blocking sleep: time passes and the loop runs nothing. Counters sampled during the block must
 * not move. The block ends in a loop phase (`timers` or `io`), which decides what runs first when
 * the loop wakes: the timers that came due during the block, or the immediates queued on the wake.
 * Optionally an acquire is issued synchronously as the loop wakes: whether it gets an idle
 * connection whose expiry came due during the block depends on how the pool hands it over (a
 * microtask always comes first, a `setImmediate` only into the `io` phase, a `setTimeout(0)` never).
 */
/**
 * No validation in flight or about to fail or be slow: an acquire on wake takes what it finds. A
 * connection the server ended unheard fails its check as a failed validation does.
 */
function noValidationFault(s: ModelBox['state']): boolean {
  return !s.validationFails && s.queryDelay === 0 && s.validating.length === 0 && (validationOf(s.semantics) === 'none' || !brokenIdleWaits(s));
}

const HANDOFF_NAMES: Readonly<Record<Handoff, string>> = { microtask: 'microtask', immediate: 'setImmediate', timeout: 'setTimeout(0)' };

export class BlockingSleepCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private resolved: ResolvedSleep | null = null;

  private resolvedPhase: WakePhase | null = null;

  /**
   * `fixedPhase`: the phase was saved with the case, so a clock that cannot order it refuses the
   * step; a drawn phase falls back to a phase the clock can order.
   */
  constructor(
    readonly spec: SleepSpec,
    readonly acquireOnWake: boolean,
    readonly phase: WakePhase = DEFAULT_WAKE_PHASE,
    readonly fixedPhase = false,
  ) {}

  check(m: Readonly<ModelBox>): boolean {
    if (m.state.phase !== 'open') return false;
    // Expiry only frees capacity, so capacity now means capacity on wake. An acquire on wake is
    // about the race with overdue expiries, so it is kept apart from waiters and failing connects.
    return !this.acquireOnWake || (predictAcquire(m.state).kind !== 'wait' && m.state.waiters.length === 0 && m.state.connecting.length === 0 && !m.state.failNext && m.state.connectDelay === 0 && noValidationFault(m.state));
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const resolved = resolveSleep(m.state, this.spec);
    this.resolved = resolved;
    h.begin(this);
    const phase = this.phaseFor(h);
    const before = h.sample();
    h.clock.blockSync(resolved.ms);
    const during = h.sample();
    if (during.idle !== before.idle || during.size !== before.size || during.waiting !== before.waiting) {
      h.fail('changed-while-blocked', `the counters moved while the loop was blocked: ${formatCounters({ waiting: 0, ...before })} before, ${formatCounters({ waiting: 0, ...during })} during the block`);
    }
    if (!this.acquireOnWake) {
      const woke = await h.clock.wake(phase);
      if (!woke.ok) h.fail('not-settled', `waking from the block: ${woke.reason}`);
      // After the wake: a polled timeout that came due then is learnt from the real call.
      h.finishStep(m, { command: this, next: blocked(m.state, resolved.ms, h.settled(), h.learntInStep()) });
      return;
    }
    let state = blocked(m.state, resolved.ms);
    const handoff = normalizeHandoff(state.semantics.handoff);
    const first = handoffBeatsOverdue(handoff, phase);
    const early = first ? predictAcquire(state) : null;
    // Issued synchronously as the loop wakes, before anything queued during the block runs.
    const pending = (async () => h.adapter.acquire(h.pool))();
    // A violation found at the wake fails the step before `settle` awaits this acquire; should it
    // then reject (an injected connect failure), nothing would handle it, and a fuzz worker would
    // die of the unhandled rejection and lose its campaign's summary. `settle` still sees it.
    pending.catch(() => undefined);
    const woke = await h.clock.wake(phase);
    if (!woke.ok) h.fail('not-settled', `waking from the block: ${woke.reason}`);
    const why = `${HANDOFF_NAMES[handoff]} hand-off runs ${first ? 'before' : 'after'} the timers that came due during a block ending in the ${phase} phase`;
    if (!first) {
      // The hand-off runs after the overdue timers, so the expiries come first.
      const expired = reconcile(state, h.takeDestroyed());
      const broken = expired.violations[0];
      if (broken !== undefined) h.fail(broken.kind, `${broken.message}; the acquire issued on the wake cannot have had it, since the declared ${why}`, broken.connectionId);
      state = expired.state;
    }
    const prediction = early ?? predictAcquire(state);
    const conn = await h.settle(() => pending, 'acquire() on wake', describeAcquirePrediction(prediction, state.semantics.reuse));
    const step = checkAcquired(h, state, prediction, conn, why);
    h.finishStep(m, { command: this, predicted: step.predicted, observed: step.observed, next: step.next, expectCreated: step.created });
  }

  /** The phase this block ends in: the drawn one, or the first the clock can order. */
  private phaseFor(h: Harness): WakePhase {
    const can = h.clock.wakePhases ?? [DEFAULT_WAKE_PHASE];
    if (can.includes(this.phase)) return (this.resolvedPhase = this.phase);
    if (this.fixedPhase) {
      h.fail('pool-error', `this saved step wakes the loop into the ${this.phase} phase, which this pool's clock cannot order (it can: ${can.join(', ')}); replay it against a pool on poolcheck's fake clock`);
    }
    return (this.resolvedPhase = can[0] ?? DEFAULT_WAKE_PHASE);
  }

  toString(): string {
    const then = `, waking into the ${this.resolvedPhase ?? this.phase} phase${this.acquireOnWake ? ', then acquire()' : ''}`;
    if (this.resolved === null) return `blockingSleep(${describeSpec(this.spec)})${then}`;
    const why = this.resolved.why === '' ? '' : ` [${this.resolved.why}]`;
    return `blockingSleep(${this.resolved.ms})${why}${then}`;
  }

  toJson(): CommandJson | null {
    if (this.resolved === null) return null;
    return { op: 'blockingSleep', ms: this.resolved.ms, acquireOnWake: this.acquireOnWake, phase: this.resolvedPhase ?? this.phase };
  }
}
