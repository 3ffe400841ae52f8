import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { capabilitiesOf } from '../model/semantics.js';
import { discarded } from '../model/faults.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * The holder discards its connection instead of returning it (a release with an error). The pool
 * must close it at once, forget its expiry, and give the capacity to the first waiter.
 */
export class DestroyCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private id: number | null = null;

  constructor(
    readonly pick: number,
    readonly fixedId: number | null = null,
  ) {}

  check(m: Readonly<ModelBox>): boolean {
    if (!capabilitiesOf(m.state.semantics).destroy || m.state.phase !== 'open') return false;
    const ids = busyIds(m.state);
    return this.fixedId === null ? ids.length > 0 : ids.includes(this.fixedId);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const ids = busyIds(m.state);
    const id = this.fixedId ?? (ids[this.pick % ids.length] as number);
    this.id = id;
    h.begin(this);
    const destroy = h.adapter.destroy;
    if (destroy === undefined) throw new Error(`poolcheck: adapter '${h.adapter.name}' declares capabilities.destroy but has no destroy method`);
    await h.settle(() => destroy.call(h.adapter, h.pool, h.handle(id)), `destroy(#${id})`);
    h.handles.delete(id);
    const next = discarded(m.state, id);
    // Only the model ran since the destroy settled: the loop is quiet.
    await h.settleCalls(next.answers.map((a) => a.ticket), `the acquires served after destroy(#${id})`, false, true);
    h.finishStep(m, { command: this, next });
  }

  toString(): string {
    const id = this.id ?? this.fixedId;
    return id === null ? `destroy(pick ${this.pick})` : `destroy(#${id})`;
  }

  toJson(): CommandJson | null {
    return this.id === null ? null : { op: 'destroy', connection: this.id };
  }
}
