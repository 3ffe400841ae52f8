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
  private resolved: number | null;

  /**
   * `'timeout'`: as long as the run's acquire timeout (1 ms without one), so that the connect
   * lands at the very instant a waiter queued with it times out, and which of the two timers was
   * set first decides the waiter's fate (see `Capabilities.burstConnects`).
   */
  constructor(readonly ms: number | 'timeout') {
    this.resolved = typeof ms === 'number' ? ms : null;
  }

  check(m: Readonly<ModelBox>): boolean {
    return capabilitiesOf(m.state.semantics).slowConnect && m.state.phase === 'open' && m.state.connectDelay === 0;
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    const faults = h.connector.faults;
    if (faults === undefined) throw new DefinitionError(`poolcheck: adapter '${h.adapter.name}' declares capabilities.slowConnect, but the connector injects no faults; use a connector with \`faults\``);
    const ms = this.ms === 'timeout' ? (m.state.config.acquireTimeoutMs ?? 1) : this.ms;
    this.resolved = ms;
    faults.delayNextConnect(ms);
    h.finishStep(m, { command: this, next: connectWillTake(m.state, ms) });
  }

  toString(): string {
    if (this.resolved === null) return 'slowNextConnect(the acquire timeout)';
    return this.ms === 'timeout' ? `slowNextConnect(${this.resolved}) [the acquire timeout]` : `slowNextConnect(${this.resolved})`;
  }

  toJson(): CommandJson | null {
    return this.resolved === null ? null : { op: 'slowNextConnect', ms: this.resolved };
  }
}
