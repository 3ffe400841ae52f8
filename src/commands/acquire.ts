import type fc from 'fast-check';
import { predictAcquire } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';
import { checkAcquired } from './acquired.js';

/** Acquire a connection while the pool has capacity. Stresses reuse order and lazy reconnects. */
export class AcquireCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    return m.state.phase === 'open' && predictAcquire(m.state).kind !== 'wait';
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    const prediction = predictAcquire(m.state);
    const conn = await h.settle(() => h.adapter.acquire(h.pool), 'acquire()');
    const step = checkAcquired(h, m.state, prediction, conn);
    h.finishStep(m, { command: this, predicted: step.predicted, observed: step.observed, next: step.next, expectCreated: step.created });
  }

  toString(): string {
    return 'acquire()';
  }

  toJson(): CommandJson {
    return { op: 'acquire' };
  }
}
