import type fc from 'fast-check';
import { terminateDuringConnectOf, terminateRejectsWaiters } from '../model/semantics.js';
import { landConnects } from './close.js';
import { terminated } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * Terminate: every connection closes at once, in use or not. Where the pool declares what it does
 * to a connect in flight, this step then lets each land, and checks its acquire is rejected (at
 * the terminate, or as it lands, as declared) and its connection closed as it lands.
 */
export class TerminateCommand implements fc.AsyncCommand<ModelBox, Harness> {
  /** `duringConnect`: applies only while a connect is in flight (drawn so that runs reach that case). */
  constructor(readonly duringConnect = false) {}

  check(m: Readonly<ModelBox>): boolean {
    if (this.duringConnect && m.state.connecting.length === 0) return false;
    // A connect in flight lands on a terminated pool in ways pools differ on: drawn only where the
    // pool declares it, and only for connects an acquire still waits for (one that lands for
    // nobody, its acquire aborted or given up, is let land first by the steps before).
    const s = m.state;
    const duringConnect = s.connecting.length === 0 || (terminateDuringConnectOf(s.semantics) !== null && s.connecting.every((c) => c.ticket !== null));
    return s.phase === 'open' && duringConnect && s.validating.length === 0 && (s.waiters.length === 0 || terminateRejectsWaiters(s.semantics));
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    await h.settle(() => h.adapter.terminate(h.pool), 'terminate()');
    h.handles.clear();
    h.finishStep(m, { command: this, next: terminated(m.state) });
    // Each connect in flight lands on the terminated pool: nothing is left pending at the end.
    await landConnects(m, h, this.toString(), 'while closing');
  }

  toString(): string {
    return 'terminate()';
  }

  toJson(): CommandJson {
    return { op: 'terminate' };
  }
}
