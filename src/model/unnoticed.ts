import { withConn } from './copy.js';
import { findConn, replaceConn, type ModelState } from './state.js';

/**
 * A break the pool does not hear of (`brokenIdle: 'unnoticed'`): the server ended an idle
 * connection, and nothing in the pool listens to it. Nothing changes for the pool until it asks
 * the connection something: its check before lending fails, as a failed validation does, and a
 * query on it fails. Until then it is idle like any other, counted, its expiry as before.
 */

/** The server ended idle connection `id`, unheard: it stays idle, marked broken. */
export function brokeUnnoticed(state: ModelState, id: number): ModelState {
  const conn = findConn(state, id);
  if (conn === undefined) throw new Error(`poolcheck model: no connection #${id}`);
  return replaceConn(state, withConn(conn, { broken: true }));
}

/**
 * Whether a check of connection `id` begun now fails: the pending fault (the next validation
 * fails, whichever connection it is of) or a connection the server ended. The connector's check
 * of a broken connection takes the pending faults as any check does, so both go together.
 */
export function checkFails(state: ModelState, id: number): boolean {
  return state.validationFails || findConn(state, id)?.broken === true;
}

/** Whether connection `id` was ended by the server unheard: a query on it fails. */
export function isBroken(state: ModelState, id: number): boolean {
  return findConn(state, id)?.broken === true;
}

/** Whether an idle connection is broken: an acquire that checks would find it so. */
export function brokenIdleWaits(state: ModelState): boolean {
  for (const c of state.conns) if (c.broken === true && c.state === 'idle' && c.doomed === null) return true;
  return false;
}
