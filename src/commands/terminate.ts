import type fc from 'fast-check';
import { terminated } from '../model/transitions.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/** Terminate: every connection closes at once, in use or not. */
export class TerminateCommand implements fc.AsyncCommand<ModelBox, Harness> {
  check(m: Readonly<ModelBox>): boolean {
    return m.state.phase === 'open';
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
