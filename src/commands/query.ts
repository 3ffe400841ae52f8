import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { isBroken } from '../model/unnoticed.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * Run `SELECT 1` on an in-use connection: it must still be open and usable, unless the server
 * ended it while it was idle and the pool lent it without hearing of it: then it must fail.
 */
export class QueryCommand implements fc.AsyncCommand<ModelBox, Harness> {
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
    // A slow next query is meant for a validation; the caller's own would only block the step.
    if (m.state.queryDelay > 0) return false;
    const ids = busyIds(m.state);
    return this.fixedId === null ? ids.length > 0 : ids.includes(this.fixedId);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const ids = busyIds(m.state);
    const id = this.fixedId ?? (ids[this.pick % ids.length] as number);
    this.id = id;
    h.begin(this);
    if (isBroken(m.state, id)) {
      // The server ended it while idle and the pool lent it unheard: the query must fail, and the
      // caller then releases or destroys it as it would any connection.
      const failed = await h.settle(async () => {
        try {
          await h.adapter.query(h.pool, h.handle(id), 'SELECT 1');
          return false;
        } catch {
          return true;
        }
      }, `SELECT 1 on #${id}`);
      if (!failed) h.fail('pool-error', `SELECT 1 on #${id} succeeded, but the server had ended #${id} while it was idle; the declared brokenIdle: 'unnoticed' lends it as it is, so its query must fail`, id);
    } else {
      await h.settle(() => h.adapter.query(h.pool, h.handle(id), 'SELECT 1'), `SELECT 1 on #${id}`);
    }
    h.finishStep(m, { command: this, next: m.state });
  }

  toString(): string {
    const id = this.id ?? this.fixedId;
    return id === null ? `query(pick ${this.pick}, 'SELECT 1')` : `query(#${id}, 'SELECT 1')`;
  }

  toJson(): CommandJson | null {
    return this.id === null ? null : { op: 'query', connection: this.id, sql: 'SELECT 1' };
  }
}
