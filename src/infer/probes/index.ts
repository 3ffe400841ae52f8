import { abortProbe } from './abort.js';
import { acquireTimeoutProbe } from './acquire-timeout.js';
import { acquireTimeoutScopeProbe } from './acquire-timeout-scope.js';
import { armsOnProbe } from './arms-on.js';
import { brokenIdleProbe } from './broken-idle.js';
import { burstConnectsProbe } from './burst-connects.js';
import { closeDuringConnectProbe } from './close-during-connect.js';
import { closeRejectsWaitersProbe } from './close-rejects-waiters.js';
import { connectServesProbe } from './connect-serves.js';
import { connectsInFloorProbe } from './connects-in-floor.js';
import { queueConnectsProbe } from './queue-connects.js';
import { destroyProbe } from './destroy.js';
import { discardRefillProbe } from './discard-refill.js';
import { expiryProbe } from './expiry.js';
import { failedConnectProbe } from './failed-connect.js';
import { failedValidationProbe } from './failed-validation.js';
import { gracefulCloseProbe } from './graceful-close.js';
import { handoffProbe } from './handoff.js';
import { minProbe } from './min.js';
import { opensMinProbe } from './opens-min.js';
import { reuseProbe } from './reuse.js';
import { slowConnectProbe } from './slow-connect.js';
import { slowQueryProbe } from './slow-query.js';
import { lateCheckProbe } from './late-check.js';
import { stopsWhenEmptyProbe } from './stops-when-empty.js';
import { terminateDuringConnectProbe } from './terminate-during-connect.js';
import { terminateRejectsWaitersProbe } from './terminate-rejects-waiters.js';
import { validationProbe } from './validation.js';
import { validationHandoffsProbe } from './validation-handoffs.js';
import { validationServesProbe } from './validation-serves.js';
import { waitersProbe } from './waiters.js';
import { zeroLifetimeProbe } from './zero-lifetime.js';
import type { Probe } from '../types.js';

/**
 * Every probe, in the order they run. Each relies on the fields found before it:
 * - how a graceful close treats idle connections first: every probe ends with a close, some with
 *   a connection still in use;
 * - then the expiry trigger, since every later probe that lets time pass must sleep past its window;
 * - reuse and the hand-off need the trigger; opening min on create comes before min, whose probe
 *   then knows which connections exist;
 * - the capabilities build on each other (a timeout needs waiters; the destroy and slow-connect
 *   probes add a waiter or a timeout where the pool has them, the failed-connect probe a waiter
 *   behind a slow connect where the pool has both); whom a connect serves comes before slow
 *   connects, whose probe holds a pool to it; when a refill after a discard is decided needs the
 *   refill the destroy probe found; then what needs slow connects: whether the reaper
 *   stops on an empty pool (a connection landing for nobody), and whether the floor counts a
 *   connect in flight;
 * - validation after reuse (which idle connection is checked), then the capabilities that need
 *   it (a failed validation, whether a hand-off to a waiter is checked too, which needs a failed
 *   validation and waiters, whom a checked connection goes to, which needs what is checked, a
 *   slow validation query), and what a broken idle connection meets, since a check may find
 *   it; abort after waiters and slow connects,
 *   which are what it aborts;
 * - what arms the idle clock comes last: it needs the trigger, the min floor and opening on create.
 *
 * A probe for a new field goes in a file of its own, listed here after the fields its scenario
 * relies on, which it names in `needs`.
 */
export const PROBES: readonly Probe[] = [
  gracefulCloseProbe,
  expiryProbe,
  zeroLifetimeProbe,
  reuseProbe,
  handoffProbe,
  opensMinProbe,
  minProbe,
  waitersProbe,
  acquireTimeoutProbe,
  destroyProbe,
  discardRefillProbe,
  acquireTimeoutScopeProbe,
  connectServesProbe,
  queueConnectsProbe,
  slowConnectProbe,
  stopsWhenEmptyProbe,
  connectsInFloorProbe,
  failedConnectProbe,
  closeRejectsWaitersProbe,
  terminateRejectsWaitersProbe,
  closeDuringConnectProbe,
  terminateDuringConnectProbe,
  burstConnectsProbe,
  validationProbe,
  failedValidationProbe,
  validationHandoffsProbe,
  validationServesProbe,
  brokenIdleProbe,
  slowQueryProbe,
  lateCheckProbe,
  abortProbe,
  armsOnProbe,
];
