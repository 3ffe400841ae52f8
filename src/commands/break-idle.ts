import type fc from 'fast-check';
import { capabilitiesOf } from '../model/semantics.js';
import { idleConns, type ModelState } from '../model/state.js';
import { brokeIdle } from '../model/faults.js';
import { breakWaitsForChecks } from '../model/unnoticed.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { CommandJson } from './json.js';

/** The idle connections the server may end: not one it ended already, which the pool may still hold. */
function breakable(state: ModelState): number[] {
  return idleConns(state)
    .filter((c) => c.broken !== true)
    .map((c) => c.id);
}

/**
 * The server ends an idle connection (a restart, a network cut, an idle timeout at the server).
 * A pool that hears of it from the client's error event must drop it at once, cancel its expiry,
 * and never hand it out; one that does not (`brokenIdle: 'unnoticed'`) keeps it idle until its
 * check before lending fails, or lends it, and a query on it fails.
 */
export class BreakIdleCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private id: number | null = null;

  constructor(
    readonly pick: number,
    readonly fixedId: number | null = null,
  ) {}

  check(m: Readonly<ModelBox>): boolean {
    if (capabilitiesOf(m.state.semantics).brokenIdle === false || m.state.phase !== 'open' || breakWaitsForChecks(m.state)) return false;
    const ids = breakable(m.state);
    return this.fixedId === null ? ids.length > 0 : ids.includes(this.fixedId);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const ids = breakable(m.state);
    const id = this.fixedId ?? (ids[this.pick % ids.length] as number);
    this.id = id;
    h.begin(this);
    const faults = h.connector.faults;
    if (faults === undefined) throw new DefinitionError(`poolcheck: adapter '${h.adapter.name}' declares capabilities.brokenIdle, but the connector injects no faults; use a connector with \`faults\``);
    if (!faults.breakConnection(id)) h.fail('leaked-connection', `connection #${id} is idle in the pool but the connector has no such open connection`, id);
    await h.quiesce();
    const next = brokeIdle(m.state, id);
    // Only the model ran since the loop went quiet: no drain first.
    await h.settleCalls(next.answers.map((a) => a.ticket), `the acquires served after #${id} broke`, false, true);
    h.finishStep(m, { command: this, next });
  }

  toString(): string {
    const id = this.id ?? this.fixedId;
    return id === null ? `breakIdle(pick ${this.pick})` : `breakIdle(#${id})`;
  }

  toJson(): CommandJson | null {
    return this.id === null ? null : { op: 'breakIdle', connection: this.id };
  }
}
