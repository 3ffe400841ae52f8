import type fc from 'fast-check';
import { capabilitiesOf, validationOf } from '../model/semantics.js';
import { queryWillTake } from '../model/faults.js';
import { checksKeptForBreaks } from '../model/unnoticed.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { CommandJson } from './json.js';

/**
 * The next query takes `ms` of virtual time. With a pool that validates by a query, the next
 * acquire that takes an idle connection stays pending while its validation is in flight, the
 * connection neither idle nor lent, as other acquires, releases, aborts and expiries go on.
 */
export class SlowQueryCommand implements fc.AsyncCommand<ModelBox, Harness> {
  constructor(readonly ms: number) {}

  check(m: Readonly<ModelBox>): boolean {
    const s = m.state;
    return capabilitiesOf(s.semantics).slowQuery === true && validationOf(s.semantics) === 'async' && s.phase === 'open' && s.queryDelay === 0 && s.validating.length === 0 && !checksKeptForBreaks(s);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    const delay = h.connector.faults?.delayNextQuery;
    if (delay === undefined) throw new DefinitionError(`poolcheck: adapter '${h.adapter.name}' declares capabilities.slowQuery, but the connector cannot slow a query; use a connector whose \`faults\` has delayNextQuery`);
    delay.call(h.connector.faults, this.ms);
    h.finishStep(m, { command: this, next: queryWillTake(m.state, this.ms) });
  }

  toString(): string {
    return `slowNextQuery(${this.ms})`;
  }

  toJson(): CommandJson {
    return { op: 'slowNextQuery', ms: this.ms };
  }
}
