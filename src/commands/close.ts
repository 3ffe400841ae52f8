import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { capabilitiesOf } from '../model/semantics.js';
import { closeBegan, released, slept as sleptModel } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * Graceful close. Idle connections go at once; close must wait for the in-use ones, which this
 * step then releases one by one, as the code holding them would.
 */
export class CloseCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    // A connect in flight lands on a closing pool in ways pools do not promise; the runner lets
    // it land before its own close.
    return m.state.phase === 'open' && m.state.connecting.length === 0 && m.state.validating.length === 0 && (m.state.waiters.length === 0 || capabilitiesOf(m.state.semantics).closeRejectsWaiters);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    await closeGracefully(m, h, this.toString());
  }

  toString(): string {
    return 'close()';
  }

  toJson(): CommandJson {
    return { op: 'close' };
  }
}

/** Also used by the runner to end a run that did not close its pool. */
export async function closeGracefully(m: ModelBox, h: Harness, command: string): Promise<void> {
  h.current = command;
  while (m.state.connecting.length + m.state.validating.length > 0) {
    // Connects and validations in flight land first (the loop runs until the next is due), then close.
    const ms = Math.min(...m.state.connecting.map((c) => c.readyAt), ...m.state.validating.map((v) => v.readyAt)) - m.state.now;
    const step = `${command}: sleep(${ms}) until a connect or validation in flight lands`;
    h.current = step;
    const slept = await h.clock.sleep(ms);
    if (!slept.ok) h.fail('not-settled', `sleep(${ms}) before close: ${slept.reason}`);
    h.finishStep(m, { command: step, next: sleptModel(m.state, ms) });
  }
  // A pool that does not reject waiters on close would leave them pending for ever: serve them
  // first, by releasing, as the code holding the connections would before shutting down.
  while (m.state.waiters.length > 0 && !capabilitiesOf(m.state.semantics).closeRejectsWaiters) {
    const id = busyIds(m.state)[0];
    if (id === undefined) break;
    h.current = `${command}: release(#${id}) for a waiter`;
    await h.settle(() => h.adapter.release(h.pool, h.handle(id)), `release(#${id}) before close`);
    h.handles.delete(id);
    const next = released(m.state, id);
    await h.settleCalls(next.answers.map((a) => a.ticket), `the waiter served by release(#${id})`);
    h.finishStep(m, { command: `${command}: release(#${id}) for a waiter`, next });
  }
  h.current = command;
  const inUse = busyIds(m.state);
  let done = false;
  const closing = (async () => h.adapter.close(h.pool))().then(() => {
    done = true;
  });
  // Keep a rejection from going unhandled while the releases run; `settle` reports it below.
  closing.catch(() => undefined);
  await h.quiesce();
  if (done && inUse.length > 0) {
    h.fail('close-incomplete', `close() resolved while connection(s) ${inUse.map((id) => `#${id}`).join(', ')} were still in use`);
  }
  h.finishStep(m, { command: `${command}: closing`, predicted: inUse.length > 0 ? `waits for ${inUse.map((id) => `#${id}`).join(', ')}` : 'closes everything', next: closeBegan(m.state) });
  for (const id of inUse) {
    h.current = `${command}: release(#${id})`;
    await h.settle(() => h.adapter.release(h.pool, h.handle(id)), `release(#${id}) during close`);
    h.handles.delete(id);
    h.finishStep(m, { command: `${command}: release(#${id})`, next: released(m.state, id) });
  }
  h.current = `${command}: resolves`;
  await h.settle(() => closing, 'close()');
  h.finishStep(m, { command: `${command}: resolves`, next: m.state });
}
