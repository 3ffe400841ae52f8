import type fc from 'fast-check';
import { capabilitiesOf } from '../model/semantics.js';
import { connectWillFail } from '../model/faults.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { CommandJson } from './json.js';

/**
 * The next connect fails, as when the server refuses a connection. The acquire that asked for it
 * must be rejected, and its capacity must not leak: the next acquire or waiter gets it.
 */
export class FailConnectCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    return capabilitiesOf(m.state.semantics).failedConnect !== false && m.state.phase === 'open' && !m.state.failNext;
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    const faults = h.connector.faults;
    if (faults === undefined) throw new DefinitionError(`poolcheck: adapter '${h.adapter.name}' declares capabilities.failedConnect, but the connector injects no faults; use a connector with \`faults\``);
    faults.failNextConnect();
    h.finishStep(m, { command: this, next: connectWillFail(m.state) });
  }

  toString(): string {
    return 'failNextConnect()';
  }

  toJson(): CommandJson {
    return { op: 'failNextConnect' };
  }
}
