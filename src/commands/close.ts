import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { closeDuringConnectOf, closeRejectsWaitersOf, closeWithinMs } from '../model/semantics.js';
import { closeBegan, landedWhileClosing, released, slept as sleptModel } from '../model/transitions.js';
import type { Connecting } from '../model/state.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * Graceful close. Idle connections go at once (or, with a pool that closes them from its own
 * timer, within its bound, which this step lets pass); close must wait for the in-use ones, which
 * this step then releases one by one, as the code holding them would.
 */
export class CloseCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    // A connect in flight lands on a closing pool in ways pools differ on: drawn only where the
    // pool declares it, and only for connects an acquire still waits for (one that lands for
    // nobody, its acquire aborted or given up, lands before the close). Elsewhere, and for a
    // validation in flight, the runner lets it land before its own close.
    // Where connects serve the queue head, none is any acquire's: `'lands-idle'` says what becomes of each.
    const onConnect = closeDuringConnectOf(m.state.semantics);
    const duringConnect = m.state.connecting.length === 0 || onConnect === 'lands-idle' || (onConnect !== null && m.state.connecting.every((c) => c.ticket !== null));
    return m.state.phase === 'open' && duringConnect && m.state.validating.length === 0 && (m.state.waiters.length === 0 || closeRejectsWaitersOf(m.state.semantics) !== 'never');
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

/**
 * Lets the loop run until every connect in flight has landed, one step per landing. Before a
 * close, validations in flight land too, and where the pool declares what a close does to a
 * connect in flight (`served`), only the connects no acquire waits for are let land.
 */
export async function landConnects(m: ModelBox, h: Harness, command: string, when: 'before close' | 'while closing', served = false, declared: (c: Connecting) => boolean = (c) => c.ticket !== null): Promise<void> {
  const pending = (): number[] => [...m.state.connecting.filter((c) => !served || !declared(c)).map((c) => c.readyAt), ...m.state.validating.map((v) => v.readyAt)];
  for (let due = pending(); due.length > 0; due = pending()) {
    const ms = Math.min(...due) - m.state.now;
    const step = `${command}: sleep(${ms}) until a ${m.state.validating.length > 0 ? 'connect or validation' : 'connect'} in flight lands`;
    h.current = step;
    const slept = await h.clock.sleep(ms);
    if (!slept.ok) h.fail('not-settled', `sleep(${ms}) ${when}: ${slept.reason}`);
    const landed = sleptModel(m.state, ms, h.settled(), h.learntInStep());
    h.finishStep(m, { command: step, next: when === 'while closing' ? landedWhileClosing(landed) : landed });
  }
}

/** Also used by the runner to end a run that did not close its pool. */
export async function closeGracefully(m: ModelBox, h: Harness, command: string): Promise<void> {
  h.current = command;
  // A pool that leaves waiters alone on close has them served first, by releases: a connect in
  // flight then lands first too, since the waiter behind it may need its connection.
  const leavesWaiters = m.state.waiters.length > 0 && closeRejectsWaitersOf(m.state.semantics) === 'never';
  const onConnect = leavesWaiters ? null : closeDuringConnectOf(m.state.semantics);
  const duringConnect = onConnect !== null;
  // Connects and validations in flight land first (the loop runs until the next one is due), then
  // close; except the connects an acquire waits for where the pool declares what a close does to
  // them, which is then checked.
  const landFirst = (): Promise<void> => (onConnect !== 'lands-idle' ? landConnects(m, h, command, 'before close', duringConnect) : landConnects(m, h, command, 'before close', true, () => true));
  await landFirst();
  // A pool that does not reject waiters on close would leave them pending for ever: serve them
  // first, by releasing, as the code holding the connections would before shutting down.
  while (m.state.waiters.length > 0 && closeRejectsWaitersOf(m.state.semantics) === 'never') {
    const id = busyIds(m.state)[0];
    if (id === undefined) break;
    h.current = `${command}: release(#${id}) for a waiter`;
    await h.settle(() => h.adapter.release(h.pool, h.handle(id)), `release(#${id}) before close`);
    h.handles.delete(id);
    const next = released(m.state, id);
    await h.settleCalls(next.answers.map((a) => a.ticket), `the waiter served by release(#${id})`, false, true);
    h.finishStep(m, { command: `${command}: release(#${id}) for a waiter`, next });
    // A released connection that failed its check leaves the waiter a connect in flight: it lands first too.
    await landFirst();
  }
  h.current = command;
  const inUse = busyIds(m.state);
  // Served, they hold the close until their release; rejected, only until they land.
  const opening = onConnect === 'serves' ? m.state.connecting.map((c) => `acquire #${c.ticket}`) : [];
  const rejecting = onConnect === 'rejects' ? m.state.connecting.map((c) => `acquire #${c.ticket}`) : [];
  let done = false;
  let ended = false;
  const closing = (async () => h.adapter.close(h.pool))().then(() => {
    done = true;
  });
  void closing.finally(() => (ended = true)).catch(() => undefined);
  // Keep a rejection from going unhandled while the releases run; `settle` reports it below.
  closing.catch(() => undefined);
  await h.quiesce();
  if (done && inUse.length > 0) {
    h.fail('close-incomplete', `close() resolved while connection(s) ${inUse.map((id) => `#${id}`).join(', ')} were still in use`);
  }
  if (done && onConnect === 'lands-idle' && m.state.connecting.length > 0) {
    h.fail('close-incomplete', `close() resolved while ${m.state.connecting.length} connect(s) were still in flight; the declared close lets them land and closes their connections with the idle ones`);
  }
  if (done && opening.length > 0) {
    h.fail('close-incomplete', `close() resolved while the connect(s) for ${opening.join(', ')} were still in flight; the declared close serves them and waits for their release`);
  }
  const landing = onConnect === 'lands-idle' && m.state.connecting.length > 0 ? [`${m.state.connecting.length} connect(s) in flight`] : [];
  const waitsFor = [...inUse.map((id) => `#${id}`), ...opening, ...landing];
  const cut = rejecting.length > 0 ? `; rejects ${rejecting.join(', ')}, whose connect(s) close as they land` : '';
  h.finishStep(m, { command: `${command}: closing`, predicted: `${waitsFor.length > 0 ? `waits for ${waitsFor.join(', ')}` : 'closes everything'}${cut}`, next: closeBegan(m.state) });
  // A connect in flight when close() was called lands on the closing pool: its acquire is served,
  // and the connection is released like any other in use; or, its acquire rejected, it is closed.
  await landConnects(m, h, command, 'while closing');
  for (const id of busyIds(m.state)) {
    h.current = `${command}: release(#${id})`;
    await h.settle(() => h.adapter.release(h.pool, h.handle(id)), `release(#${id}) during close`);
    h.handles.delete(id);
    const next = released(m.state, id);
    // The last release may end the close, and with it the waiters the pool kept until then. Only
    // the model ran since the release settled: the loop is quiet.
    await h.settleCalls(next.answers.map((a) => a.ticket), `the waiters rejected after release(#${id})`, false, true);
    h.finishStep(m, { command: `${command}: release(#${id})`, next });
  }
  const within = closeWithinMs(m.state.semantics);
  if (within > 0) {
    // The pool closes idle connections from its own timer: let that much time pass, no more.
    const step = `${command}: the pool's timer closes idle connections (${within} ms)`;
    h.current = step;
    const slept = await h.clock.sleep(within);
    if (!slept.ok) h.fail('not-settled', `sleep(${within}) while closing: ${slept.reason}`);
    h.finishStep(m, { command: step, next: sleptModel(m.state, within, h.settled(), h.learntInStep()) });
  }
  h.current = `${command}: resolves`;
  if (within > 0) {
    const settled = await h.clock.settle(() => ended);
    if (!settled.ok && settled.quiet === true) {
      h.fail('close-incomplete', `close() had not resolved ${within} ms after it was called, the bound its declared timer has (gracefulClose: idle-by-timer within ${within} ms)`);
    }
  }
  await h.settle(() => closing, 'close()');
  h.finishStep(m, { command: `${command}: resolves`, next: m.state });
}
