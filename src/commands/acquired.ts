import { acquired, describeAcquirePrediction, type AcquirePrediction } from '../model/transitions.js';
import { findConn, type ModelState } from '../model/state.js';
import type { Harness } from '../runner/harness.js';

/**
 * Checks the connection an acquire returned against the model's prediction, and moves the model
 * on. Shared by the commands that acquire: a plain acquire, and one issued as a blocked loop wakes.
 */
export function checkAcquired(
  h: Harness,
  state: ModelState,
  prediction: AcquirePrediction,
  conn: unknown,
  /** Why the model predicts what it does, added to a wrong-connection message. */
  why?: string,
): { next: ModelState; predicted: string; observed: string; created: number[] } {
  const id = h.adapter.connectionId(conn);
  // The model holds every connection the pool opened before this step, so an id it does not know
  // is new; the step's end checks that the connector really opened it.
  const known = findConn(state, id);
  const created = known === undefined;
  const predicted = describeAcquirePrediction(prediction, state.semantics.reuse);
  if (known?.state === 'gone') h.fail('handed-out-destroyed', `acquire returned connection #${id}, which was destroyed at ${known.goneAt} ms`, id);
  if (known?.state === 'busy') h.fail('handed-out-twice', `acquire returned connection #${id}, which is already in use`, id);
  if (prediction.kind === 'reuse' && !prediction.candidates.includes(id)) {
    const got = created ? `a new connection #${id}` : `#${id}`;
    h.fail('wrong-connection', `acquire should ${predicted}, got ${got}${because(why)}`, id);
  }
  if (prediction.kind === 'create' && !created) h.fail('wrong-connection', `acquire should ${predicted}, got #${id}${because(why)}`, id);
  h.handles.set(id, conn);
  return { next: acquired(state, id, created), predicted, observed: created ? `new #${id}` : `got #${id}`, created: created ? [id] : [] };
}

function because(why: string | undefined): string {
  return why === undefined ? '' : `; the declared ${why}`;
}
