import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { released } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/** Release one in-use connection. Stresses re-arming expiry on release. */
export class ReleaseCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private id: number | null = null;

  constructor(readonly pick: number) {}

  check(m: Readonly<ModelBox>): boolean {
    return m.state.phase !== 'closed' && busyIds(m.state).length > 0;
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const ids = busyIds(m.state);
    const id = ids[this.pick % ids.length] as number;
    this.id = id;
    h.begin(this);
    await h.settle(() => h.adapter.release(h.pool, h.handle(id)), `release(#${id})`);
    h.handles.delete(id);
    h.finishStep(m, { command: this, next: released(m.state, id) });
  }

  toString(): string {
    return this.id === null ? `release(pick ${this.pick})` : `release(#${this.id})`;
  }

  toJson(): CommandJson | null {
    return this.id === null ? null : { op: 'release', connection: this.id };
  }
}
