import type fc from 'fast-check';
import { formatCounters } from '../model/observe.js';
import { reconcile } from '../model/reconcile.js';
import { blocked, predictAcquire } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';
import { checkAcquired } from './acquired.js';
import { describeSpec, resolveSleep, type ResolvedSleep, type SleepSpec } from './sleep-spec.js';

/**
 * A blocking sleep: time passes and the loop runs nothing. Counters sampled during the block must
 * not move. Optionally an acquire is issued synchronously as the loop wakes: with a microtask
 * hand-off it gets an idle connection even if that connection's expiry came due during the block.
 * Then the overdue expiries happen, at the wake time.
 */
/** No validation in flight or about to fail or be slow: an acquire on wake takes what it finds. */
function noValidationFault(s: ModelBox['state']): boolean {
  return !s.validationFails && s.queryDelay === 0 && s.validating.length === 0;
}

export class BlockingSleepCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private resolved: ResolvedSleep | null = null;

  constructor(
    readonly spec: SleepSpec,
    readonly acquireOnWake: boolean,
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
    const before = h.sample();
    h.clock.blockSync(resolved.ms);
    const during = h.sample();
    if (during.idle !== before.idle || during.size !== before.size || during.waiting !== before.waiting) {
      h.fail('changed-while-blocked', `the counters moved while the loop was blocked: ${formatCounters({ waiting: 0, ...before })} before, ${formatCounters({ waiting: 0, ...during })} during the block`);
    }
    let state = blocked(m.state, resolved.ms);
    if (!this.acquireOnWake) {
      const woke = await h.clock.wake();
      if (!woke.ok) h.fail('not-settled', `waking from the block: ${woke.reason}`);
      h.finishStep(m, { command: this, next: state });
      return;
    }
    const microtask = state.semantics.handoff === 'microtask';
    const early = microtask ? predictAcquire(state) : null;
    // Issued synchronously as the loop wakes, before anything queued during the block runs.
    const pending = (async () => h.adapter.acquire(h.pool))();
    const woke = await h.clock.wake();
    if (!woke.ok) h.fail('not-settled', `waking from the block: ${woke.reason}`);
    if (!microtask) {
      // A macrotask hand-off runs after the overdue timers, so the expiries come first.
      const expired = reconcile(state, h.takeDestroyed());
      if (expired.violations[0] !== undefined) h.fail(expired.violations[0].kind, expired.violations[0].message, expired.violations[0].connectionId);
      state = expired.state;
    }
    const prediction = early ?? predictAcquire(state);
    const conn = await h.settle(() => pending, 'acquire() on wake');
    const step = checkAcquired(h, state, prediction, conn);
    h.finishStep(m, { command: this, predicted: step.predicted, observed: step.observed, next: step.next, expectCreated: step.created });
  }

  toString(): string {
    const then = this.acquireOnWake ? ', then acquire()' : '';
    if (this.resolved === null) return `blockingSleep(${describeSpec(this.spec)})${then}`;
    const why = this.resolved.why === '' ? '' : ` [${this.resolved.why}]`;
    return `blockingSleep(${this.resolved.ms})${why}${then}`;
  }

  toJson(): CommandJson | null {
    return this.resolved === null ? null : { op: 'blockingSleep', ms: this.resolved.ms, acquireOnWake: this.acquireOnWake };
  }
}
