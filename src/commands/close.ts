import type fc from 'fast-check';
import { busyIds } from '../model/observe.js';
import { closeBegan, released } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * Graceful close. Idle connections go at once; close must wait for the in-use ones, which this
 * step then releases one by one, as the code holding them would.
 */
export class CloseCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    return m.state.phase === 'open';
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
