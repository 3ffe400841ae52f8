import { withConn } from './copy.js';
import { brokenIdleOf, validationOf } from './semantics.js';
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
  return state.validationFails || isBroken(state, id);
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

/**
 * Where the pool checks before lending, a failing check of a connection the server ended unheard
 * is the one validation fault of its step: the model orders one failed check's close, refill and
 * look at a time against the pool's microtasks, and a chain of them through quick checks of
 * other broken connections, but not beside a check that another fault fails or slows. So while a
 * broken connection is idle there, neither a failed nor a slow validation is drawn (`true` here).
 */
export function checksKeptForBreaks(state: ModelState): boolean {
  return validationOf(state.semantics) !== 'none' && brokenIdleWaits(state);
}

/**
 * And no break the pool does not hear of is drawn, where it checks, while a validation fault is
 * pending or a check is in flight (a break during a check is not one of an idle connection).
 */
export function breakWaitsForChecks(state: ModelState): boolean {
  return brokenIdleOf(state.semantics) === 'unnoticed' && validationOf(state.semantics) !== 'none' && (state.validationFails || state.queryDelay > 0 || state.validating.length > 0 || (state.checkReplies?.length ?? 0) > 0);
}
