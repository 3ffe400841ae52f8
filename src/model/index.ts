/**
 * The reference model of idle expiry: pure data and functions, no I/O, no timers, no pool code.
 */
export type { ExpiryTrigger, PoolConfig, ReaperExpiry, Semantics, TimerExpiry } from './semantics.js';
export { asyncpgSemantics, describeSemantics } from './semantics.js';
export type { ConnState, ModelConn, ModelState, Phase } from './state.js';
export { busyConns, findConn, idleConns, initialState, liveCount } from './state.js';
export type { Window } from './windows.js';
export { windowOf } from './windows.js';
export type { AcquirePrediction } from './transitions.js';
export {
  acquired,
  blocked,
  closeBegan,
  describeAcquirePrediction,
  poolCreated,
  predictAcquire,
  released,
  slept,
  terminated,
} from './transitions.js';
export { acquiresIssued } from './waiters.js';
export { aborted, brokeIdle, connectWillFail, connectWillTake, discarded, pendingTickets, queryWillTake, validationWillFail } from './faults.js';
export { timePassed } from './timers.js';
export type { AbortCapability, Validation } from './semantics.js';
export { abortOf, validationOf } from './semantics.js';
export type { Answer, Connecting, DoomCause, Orphan, Validating, Waiter } from './state.js';
export type { Capabilities } from './semantics.js';
export { capabilitiesOf, noCapabilities } from './semantics.js';
export type { Destroyed, Reconciled } from './reconcile.js';
export { reconcile } from './reconcile.js';
export type { Counters } from './observe.js';
export { busyIds, expectedCounters, formatCounters } from './observe.js';
export type { Violation, ViolationKind } from './violation.js';
export { violation } from './violation.js';
