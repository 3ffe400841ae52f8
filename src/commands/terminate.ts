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
    // Where connects serve the queue head, none is any acquire's: `'lands-idle'` says what becomes of each.
    const s = m.state;
    const onConnect = terminateDuringConnectOf(s.semantics);
    const duringConnect = s.connecting.length === 0 || onConnect === 'lands-idle' || (onConnect !== null && s.connecting.every((c) => c.ticket !== null));
    return s.phase === 'open' && duringConnect && s.validating.length === 0 && (s.waiters.length === 0 || terminateRejectsWaiters(s.semantics));
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    if (terminateDuringConnectOf(m.state.semantics) === 'lands-idle' && m.state.connecting.length > 0) {
      await terminateWhileLanding(m, h, this.toString());
      return;
    }
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

/**
 * Terminate with connects in flight that serve the queue head (`'lands-idle'`): terminate() may
 * not resolve before they land; this step lets each land, checks its connection closes as it
 * lands and the waiters are rejected after the last one, and only then awaits terminate().
 */
async function terminateWhileLanding(m: ModelBox, h: Harness, command: string): Promise<void> {
  let done = false;
  const terminating = (async () => h.adapter.terminate(h.pool))().then(() => {
    done = true;
  });
  // Keep a rejection from going unhandled while the connects land; `settle` reports it below.
  terminating.catch(() => undefined);
  await h.quiesce();
  const inFlight = m.state.connecting.length;
  if (done) h.fail('close-incomplete', `terminate() resolved while ${inFlight} connect(s) were still in flight; the declared terminate lets them land and closes their connections as they land`);
  h.handles.clear();
  const waiting = m.state.waiters.length > 0 ? `, then rejects ${m.state.waiters.length} waiter(s)` : '';
  h.finishStep(m, { command: `${command}: closing`, predicted: `waits for ${inFlight} connect(s) in flight${waiting}`, next: terminated(m.state) });
  await landConnects(m, h, command, 'while closing');
  h.current = `${command}: resolves`;
  await h.settle(() => terminating, 'terminate()');
  h.finishStep(m, { command: `${command}: resolves`, next: m.state });
}
