import type fc from 'fast-check';
import { capabilitiesOf } from '../model/semantics.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';
import { issueAcquires } from './issue.js';

/**
 * Several acquires issued in the same tick, before the pool has answered any. Stresses capacity
 * accounting while connects are in flight, the reuse order within one tick, and the wait queue.
 */
export class BurstCommand implements fc.AsyncCommand<ModelBox, Harness> {
  constructor(readonly count: number) {}

  check(m: Readonly<ModelBox>): boolean {
    // Without a queue, every acquire of the burst must fit.
    const fits = m.state.config.maxSize - m.state.conns.filter((c) => c.state === 'busy').length - m.state.connecting.length >= this.count;
    return m.state.phase === 'open' && (capabilitiesOf(m.state.semantics).waiters || fits);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    await issueAcquires(m, h, this.count, this);
  }

  toString(): string {
    return `burst(${this.count} acquires)`;
  }

  toJson(): CommandJson {
    return { op: 'burst', count: this.count };
  }
}
