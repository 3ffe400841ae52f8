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
): { next: ModelState; predicted: string; observed: string; created: number[] } {
  const id = h.adapter.connectionId(conn);
  const created = h.connector.events.some((e) => e.type === 'create' && e.id === id) && findConn(state, id) === undefined;
  const predicted = describeAcquirePrediction(prediction, state.semantics.reuse);
  const known = findConn(state, id);
  if (known?.state === 'gone') h.fail('handed-out-destroyed', `acquire returned connection #${id}, which was destroyed at ${known.goneAt} ms`, id);
  if (known?.state === 'busy') h.fail('handed-out-twice', `acquire returned connection #${id}, which is already in use`, id);
  if (prediction.kind === 'reuse' && !prediction.candidates.includes(id)) {
    const got = created ? `a new connection #${id}` : `#${id}`;
    h.fail('wrong-connection', `acquire should ${predicted}, got ${got}`, id);
  }
  if (prediction.kind === 'create' && !created) h.fail('wrong-connection', `acquire should ${predicted}, got #${id}`, id);
  h.handles.set(id, conn);
  return { next: acquired(state, id, created), predicted, observed: created ? `new #${id}` : `got #${id}`, created: created ? [id] : [] };
}
