import type fc from 'fast-check';
import { slept } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';
import { describeSpec, resolveSleep, type ResolvedSleep, type SleepSpec } from './sleep-spec.js';

/** `await sleep(ms)`: the loop runs, so expiry timers fire on time. */
export class AsyncSleepCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private resolved: ResolvedSleep | null = null;

  constructor(readonly spec: SleepSpec) {}

  check(m: Readonly<ModelBox>): boolean {
    return m.state.phase !== 'closed';
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const resolved = resolveSleep(m.state, this.spec);
    this.resolved = resolved;
    h.begin(this);
    const settled = await h.clock.sleep(resolved.ms);
    if (!settled.ok) h.fail('not-settled', `sleep(${resolved.ms}): ${settled.reason}`);
    h.finishStep(m, { command: this, next: slept(m.state, resolved.ms, h.settled(), h.learntInStep()) });
  }

  toString(): string {
    if (this.resolved === null) return `sleep(${describeSpec(this.spec)})`;
    return this.resolved.why === '' ? `sleep(${this.resolved.ms})` : `sleep(${this.resolved.ms}) [${this.resolved.why}]`;
  }

  toJson(): CommandJson | null {
    return this.resolved === null ? null : { op: 'sleep', ms: this.resolved.ms };
  }
}
