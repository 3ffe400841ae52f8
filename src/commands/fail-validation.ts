import type fc from 'fast-check';
import { capabilitiesOf, validationOf } from '../model/semantics.js';
import { validationWillFail } from '../model/faults.js';
import { checksKeptForBreaks } from '../model/unnoticed.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { CommandJson } from './json.js';

/**
 * The next validation fails, as for a connection the server dropped without the pool hearing of
 * it. The pool must close that connection at once, never lend it, and try another.
 */
export class FailValidationCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    const s = m.state;
    return capabilitiesOf(s.semantics).failedValidation === true && validationOf(s.semantics) !== 'none' && s.phase === 'open' && !s.validationFails && s.validating.length === 0 && !checksKeptForBreaks(s);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    const fail = h.connector.faults?.failNextValidation;
    if (fail === undefined) throw new DefinitionError(`poolcheck: adapter '${h.adapter.name}' declares capabilities.failedValidation, but the connector cannot fail a validation; use a connector whose \`faults\` has failNextValidation`);
    fail.call(h.connector.faults);
    h.finishStep(m, { command: this, next: validationWillFail(m.state) });
  }

  toString(): string {
    return 'failNextValidation()';
  }

  toJson(): CommandJson {
    return { op: 'failNextValidation' };
  }
}
