import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { released } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/** Release one in-use connection. Stresses re-arming expiry on release. */
export class ReleaseCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private id: number | null = null;

  /**
   * `pick` chooses among the connections in use when the command runs (drawn by the generators);
   * `fixedId` names one, as a saved command list does.
   */
  constructor(
    readonly pick: number,
    readonly fixedId: number | null = null,
  ) {}

  check(m: Readonly<ModelBox>): boolean {
    // Asked of every drawn release, also after the pool closed: the cheap test first.
    if (m.state.phase === 'closed') return false;
    const ids = busyIds(m.state);
    return this.fixedId === null ? ids.length > 0 : ids.includes(this.fixedId);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const ids = busyIds(m.state);
    const id = this.fixedId ?? (ids[this.pick % ids.length] as number);
    this.id = id;
    h.begin(this);
    await h.settle(() => h.adapter.release(h.pool, h.handle(id)), `release(#${id})`);
    h.handles.delete(id);
    h.finishStep(m, { command: this, next: released(m.state, id) });
  }

  toString(): string {
    const id = this.id ?? this.fixedId;
    return id === null ? `release(pick ${this.pick})` : `release(#${id})`;
  }

  toJson(): CommandJson | null {
    return this.id === null ? null : { op: 'release', connection: this.id };
  }
}
