import type fc from 'fast-check';
import { capabilitiesOf } from '../model/semantics.js';
import { connectWillTake } from '../model/faults.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { CommandJson } from './json.js';

/**
 * The next connect takes `ms` of virtual time, as over a slow network. The acquire that asked for
 * it stays pending across the steps in between, its connection already taking capacity, while
 * other acquires, releases and expiries go on.
 */
export class SlowConnectCommand implements fc.AsyncCommand<ModelBox, Harness> {
  constructor(readonly ms: number) {}

  check(m: Readonly<ModelBox>): boolean {
    return capabilitiesOf(m.state.semantics).slowConnect && m.state.phase === 'open' && m.state.connectDelay === 0;
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    const faults = h.connector.faults;
    if (faults === undefined) throw new DefinitionError(`poolcheck: adapter '${h.adapter.name}' declares capabilities.slowConnect, but the connector injects no faults; use a connector with \`faults\``);
    faults.delayNextConnect(this.ms);
    h.finishStep(m, { command: this, next: connectWillTake(m.state, this.ms) });
  }

  toString(): string {
    return `slowNextConnect(${this.ms})`;
  }

  toJson(): CommandJson {
    return { op: 'slowNextConnect', ms: this.ms };
  }
}
