import type fc from 'fast-check';
import { capabilitiesOf } from '../model/semantics.js';
import { predictAcquire } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';
import { issueAcquires } from './issue.js';

/**
 * Acquire a connection. Below max it stresses reuse order and lazy reconnects; at max, where the
 * pool queues acquires, the caller waits, and a later release, discard or timeout answers it.
 */
export class AcquireCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    return m.state.phase === 'open' && (capabilitiesOf(m.state.semantics).waiters || predictAcquire(m.state).kind !== 'wait');
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    await issueAcquires(m, h, 1, this);
  }

  toString(): string {
    return 'acquire()';
  }

  toJson(): CommandJson {
    return { op: 'acquire' };
  }
}
