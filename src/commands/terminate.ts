import type fc from 'fast-check';
import { terminateRejectsWaiters } from '../model/semantics.js';
import { terminated } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/** Terminate: every connection closes at once, in use or not. */
export class TerminateCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    // A connect in flight lands on a closing pool in ways pools do not promise; the runner lets
    // it land before its own close.
    return m.state.phase === 'open' && m.state.connecting.length === 0 && (m.state.waiters.length === 0 || terminateRejectsWaiters(m.state.semantics));
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    h.begin(this);
    await h.settle(() => h.adapter.terminate(h.pool), 'terminate()');
    h.handles.clear();
    h.finishStep(m, { command: this, next: terminated(m.state) });
  }

  toString(): string {
    return 'terminate()';
  }

  toJson(): CommandJson {
    return { op: 'terminate' };
  }
}
