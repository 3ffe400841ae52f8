import { capabilitiesOf, checkServesOf, connectServesOf, minOf, normalizeHandoff, queueConnectsOf, timeoutRulesOf, validatesAlso, validationOf } from './semantics.js';
import { floorCount, idleFloorAtExpiry } from './refill.js';
import { windowOf } from './windows.js';
import { answer, doom, openFor, servedNew, serveWaiters, startQueueConnects } from './answers.js';
import { landedAtOnce } from './retry.js';
import { refillServesQueue } from './queue-refill.js';
import { findConn, idleConns, capacityUsed, lifetimeOf, newWaiter, replaceConn, type CoveredBy, type FailedConnect, type ModelConn, type ModelState, type Orphan, type Validating, type Waiter } from './state.js';
import { withState } from './copy.js';
import { answersTook, checkTakesSlot, tookIntoChecks } from './check-took.js';
import { acquiresJoinQueue, queueChecksInPlay } from './queue-check.js';
import { checkTakesHead } from './head-check.js';
import { acquiresBehindStaleHead, idleToHeads } from './rejected-head.js';
import { checkFails, isBroken } from './unnoticed.js';

/**
 * Acquires: who gets what when acquires are issued, the model's side of waiting and validation.
 * Faults are in `faults.ts`, the timers that settle waiters and connects in `timers.ts`, and the
 * answers and hand-outs they all produce in `answers.ts`. Like every transition, these only say
 * what the pool must do; the runner checks the real calls against `answers`.
 */

/**
 * `count` acquires issued together, in order: each gets an idle connection (in reuse order), a
 * new one while there is capacity, or else waits at the back of the queue. A connect that fails
 * rejects its acquire and leaves the capacity free for the next. Where the pool validates, an
 * idle connection is checked first: one that fails is closed at once and the next tried; one
 * whose check takes time holds its acquire pending until the check lands.
 *
 * `validated` lists, in order, the connections the pool validated in this step, as the
 * connector logged them: among connections that became idle together (opened with the pool),
 * which one the pool takes is not something the model can know.
 */
export function acquiresIssued(before: ModelState, count: number, validated: readonly number[] = []): { state: ModelState; tickets: number[] } {
  // A check for the queue in flight, or about to be slow: each acquire joins the queue and looks.
  if (queueChecksInPlay(before)) return acquiresJoinQueue(before, count, { list: validated, next: 0 });
  const behind = acquiresBehindStaleHead(before, count);
  if (behind !== null) return behind;
  let state = before;
  const tickets: number[] = [];
  const picks = { list: validated, next: 0 };
  const mode = validationOf(state.semantics);
  const deferred = normalizeHandoff(state.semantics.handoff) !== 'microtask';
  const idle = idleConns(state).sort((a, b) => (state.semantics.reuse === 'lifo' ? b.idleSeq - a.idleSeq : a.idleSeq - b.idleSeq));
  const reserved: { ticket: number; id: number; order: number }[] = [];
  const began = state.connecting.length;
  // Where a check serves the queue head, the first acquire's check starts inside its call
  // (`_testOnBorrow` calls `validate` synchronously, Pool.js:174): the pending fault is its, not
  // that of a connection the burst's later acquires open.
  const heldFault = checkServesOf(state.semantics) === 'queue-head' && state.validationFails && idle.length > 0 && mode === 'async' && !deferred;
  if (heldFault) state = withState(state, { validationFails: false });
  for (let i = 0; i < count; i++) {
    const ticket = state.nextTicket;
    tickets.push(ticket);
    state = withState(state, { nextTicket: ticket + 1 });
    const reuse = idle[i];
    if (mode === 'sync' || (mode === 'async' && deferred)) {
      // Checked inside the call: the next acquire finds what this one left. A deferred hand-off
      // takes and checks in a task of its own, whose check (unless slow) is over, in microtasks,
      // before the next acquire's task takes anything.
      state = takeOrOpen(state, ticket, picks, true);
    } else if (reuse !== undefined && mode === 'async') {
      // Each acquire takes its idle connection at once; the checks run after, in that order.
      const group = idle.filter((c) => c.idleSeq === reuse.idleSeq && !reserved.some((r) => r.id === c.id)).map((c) => c.id);
      const id = pickOf(picks, group);
      const conn = findConn(state, id) as ModelConn;
      // Its check starts inside the call, so a slow one's timer is set before a later acquire's.
      state = replaceConn({ ...state, nextOrder: state.nextOrder + 1 }, { ...conn, state: 'validating', idleSince: null, kept: false, keptAt: null });
      reserved.push({ ticket, id, order: state.nextOrder - 1 });
    } else if (reuse !== undefined) {
      const candidates = idle.filter((c) => c.idleSeq === reuse.idleSeq).map((c) => c.id);
      state = answer(state, { ticket, outcome: 'served', candidates, via: 'reuse' });
    } else {
      state = takeOrOpen(state, ticket, picks, true);
    }
  }
  // Where connects serve the queue head, an acquire whose check failed goes back to the head, and
  // the pool looks at its queue in a task of its own (tarn's `setTimeout(0)`, Pool.js:313-321):
  // after the connects begun by the step's calls have landed, which serve that head first.
  const headServed = checkServesOf(state.semantics) === 'queue-head';
  const deferLook = reserved.length > 0 && connectServesOf(state.semantics) === 'queue-head' && !headServed;
  if (heldFault) state = withState(state, { validationFails: true });
  const faultPending = state.validationFails;
  // The burst's acquires took their capacity in their calls; the pool decides what that sets off
  // once the calls have returned, before any check answers.
  const took = reserved.length > 0 && checkTakesSlot(state);
  if (took) state = answersTook(tookIntoChecks(state, reserved.map((r) => r.id)), before.answers.length);
  // Where the looks are deferred, the burst's checks of connections the server ended unheard all
  // fail before any look (see `brokenBackInQueue`).
  const brokenLooks = deferLook ? reserved.filter((r) => isBroken(state, r.id)).length : 0;
  if (headServed && (faultPending || reserved.some((r) => isBroken(state, r.id)))) state = checksServeHeads(state, reserved, picks, faultPending);
  else if (brokenLooks > 0) for (const { ticket, id, order } of reserved) state = isBroken(state, id) ? brokenBackInQueue(state, ticket, id) : validate(state, ticket, id, picks, order, 'reuse', undefined, false, undefined, took);
  else for (const { ticket, id, order } of reserved) state = validate(state, ticket, id, picks, order, 'reuse', undefined, !deferLook, undefined, took);
  // A slow check that will fail holds the fault until it answers, in a later step.
  const checkFailed = faultPending && !state.validationFails && !state.validating.some((v) => v.fails && !before.validating.includes(v));
  // Each check that failed at once sets off a look of its own. Where connections the server ended
  // unheard failed theirs, a look that found an idle one took it into a check (the retry that
  // check's acquire made here), and one look is left to start a connect for each acquire back in
  // the queue.
  const looks = brokenLooks > 0 ? 0 : brokenFailed(before, state) > 0 ? reserved.filter((r) => state.waiters.some((w) => w.ticket === r.ticket)).length : checkFailed ? 1 : 0;
  state = afterFailedChecks(before, state);
  state = landedAtOnce(state);
  if (brokenLooks > 0) state = looksAfterFailedChecks(state, picks, brokenLooks);
  // Each look is a timer of its own, and the connect it starts lands within the microtasks after
  // it, before the next look.
  for (let look = 0; deferLook && look < looks; look++) state = landedAtOnce(startQueueConnects(state));
  return { state: idle.length > 0 && capabilitiesOf(state.semantics).burstConnects === 'after-burst' ? connectsAfterBurst(state, began) : state, tickets };
}

/**
 * `validation.serves: 'queue-head'`: the burst's checks belong to no acquire, and each that passes
 * goes to whoever heads the queue as it answers (generic-pool's `_testOnBorrow` →
 * `_dispatchPooledResourceToNextWaitingClient`, Pool.js:166-192, 271-289). A check that fails (the
 * first, which takes the pending fault, or one of a connection the server ended unheard) has its
 * handler close its connection and look at the queue at once, within microtasks (`_destroy`, then
 * `_dispense`): it tries the next idle connection or starts a connect, for the acquire left short,
 * the first of those the burst's passes leave in the queue. The checks answer in the order they
 * began, so the passes serve the acquires from the front, and the failures' retries, begun after
 * every check of the burst, the rest, in the order the failures answered.
 */
function checksServeHeads(before: ModelState, reserved: readonly { ticket: number; id: number; order: number }[], picks: Picks, faultPending: boolean): ModelState {
  const fails = reserved.map(({ id }, i) => (i === 0 && faultPending) || isBroken(before, id));
  let passed = 0;
  let failed = fails.filter((f) => !f).length;
  let state = before;
  reserved.forEach(({ id, order }, i) => {
    const ticket = (reserved[fails[i] === true ? failed++ : passed++] as (typeof reserved)[number]).ticket;
    state = validate(state, ticket, id, picks, order, 'reuse', undefined, true);
  });
  return state;
}

/**
 * Where the pool declares `burstConnects: 'after-burst'`: a burst that found idle connections is
 * queued whole and dispatched once the calls return, so
 * the connects it starts, and their own timers, begin after every acquire of the burst was
 * issued: at the same instant, the burst's acquire timers fire first.
 */
function connectsAfterBurst(state: ModelState, began: number): ModelState {
  if (state.connecting.length === began) return state;
  let order = state.nextOrder;
  // Each connect's own timer is set as it begins, just before the connector's.
  const connecting = state.connecting.map((c, i) => (i < began ? c : { ...c, abandonOrder: order, order: order++ + 0.5 }));
  return { ...state, connecting, nextOrder: order };
}

/**
 * A check of a burst that fails at once, of a connection the server ended unheard, where the pool
 * looks at its queue in a task of its own (tarn): the connection is closed and its acquire goes
 * back to the head of the queue (`pendingAcquires.unshift`, Pool.js:300-330), so the last to fail
 * heads it; the look comes after every check of the burst has answered.
 */
function brokenBackInQueue(state: ModelState, ticket: number, id: number): ModelState {
  const conn = findConn(state, id) as ModelConn;
  const doomed = doom(replaceConn(state, { ...conn, state: 'idle' }), id, 'invalid');
  const waiter = newWaiter(doomed, ticket);
  return withState(doomed, { waiters: [waiter, ...doomed.waiters], nextOrder: doomed.nextOrder + 1 });
}

/**
 * The looks `count` failed checks set off, each a `setTimeout(0)` of its own (tarn's
 * `_tryAcquireOrCreate`): one that finds an idle connection takes it into a check for the head of
 * the queue (a check that fails sends that acquire back to the head, and looks again), and one that
 * finds none starts a connect, which lands before the next look.
 */
function looksAfterFailedChecks(before: ModelState, picks: Picks, count: number): ModelState {
  let state = before;
  let owed = count;
  // Each look takes an idle connection, starts a connect or finds nothing to do: bounded by them.
  for (let guard = 0; owed > 0 && guard <= before.conns.length + before.config.maxSize + count; guard++) {
    owed--;
    const head = state.waiters[0];
    const idle = idleConns(state).filter((c) => !taken(state, c.id));
    if (head === undefined || idle.length === 0) {
      state = landedAtOnce(startQueueConnects(state));
      continue;
    }
    const id = pickOf(picks, nextInReuse(state, idle));
    state = validate(withState(state, { waiters: state.waiters.slice(1) }), head.ticket, id, picks, undefined, 'reuse', head, false);
    if (state.waiters.some((w) => w.ticket === head.ticket)) owed++;
  }
  return state;
}

/** How many connections the server ended unheard failed their check at once between `before` and `after`. */
function brokenFailed(before: ModelState, after: ModelState): number {
  return before.conns.filter((c) => c.broken === true && c.doomed === null && findConn(after, c.id)?.doomed?.cause === 'invalid').length;
}

/** The learnt pick among interchangeable candidates, or the first of them. */
function pickOf(picks: Picks, candidates: readonly number[]): number {
  const id = peekPick(picks, candidates);
  picks.next++;
  return id;
}

/** What {@link pickOf} would take now, without taking it. */
function peekPick(picks: Picks, candidates: readonly number[]): number {
  const learnt = picks.list[picks.next];
  return learnt !== undefined && candidates.includes(learnt) ? learnt : (candidates[0] as number);
}

/**
 * The ids of the idle connections (`idle`, not empty) the reuse order takes next: those that
 * became idle together (opened with the pool), which are interchangeable.
 */
function nextInReuse(state: ModelState, idle: readonly ModelConn[]): number[] {
  const seqs = idle.map((c) => c.idleSeq);
  const best = state.semantics.reuse === 'lifo' ? Math.max(...seqs) : Math.min(...seqs);
  return idle.filter((c) => c.idleSeq === best).map((c) => c.id);
}

/**
 * Acquire `ticket` checks connection `id`, which it took from idle: the check takes the pending
 * faults (it is the next validation and the next query). A slow check holds the acquire pending;
 * a failed one closes the connection and tries another. `took`: the acquire took its capacity
 * already (a retry, or a burst's check); otherwise an async check takes it now.
 */
export function validate(before: ModelState, ticket: number, id: number, picks: Picks, order?: number, via: 'reuse' | 'handoff' = 'reuse', waiter?: Waiter, look = true, covered?: CoveredBy, took = false): ModelState {
  const takes = took || checkTakesSlot(before);
  if (!takes) return checkOnce(before, ticket, id, picks, order, via, waiter, look, covered, false);
  const start = took ? before : tookIntoChecks(before, [id]);
  return answersTook(checkOnce(start, ticket, id, picks, order, via, waiter, look, covered, true), start.answers.length, ticket);
}

function checkOnce(before: ModelState, ticket: number, id: number, picks: Picks, order: number | undefined, via: 'reuse' | 'handoff', waiter: Waiter | undefined, look: boolean, covered: CoveredBy | undefined, took: boolean): ModelState {
  const fails = checkFails(before, id);
  // During a sleep, the checks begun are counted for the log to tell readings apart (see `timers.ts`).
  let state: ModelState = before.checkedInStep === undefined ? { ...before, validationFails: false } : { ...before, validationFails: false, checksBegun: (before.checksBegun ?? 0) + 1 };
  const conn = findConn(state, id) as ModelConn;
  const checkOrder = order ?? state.nextOrder;
  // A new acquire's deadline timer is set in its call, just before its check begins.
  const by = checkCovered(state) ? { covered: covered ?? (waiter === undefined ? { since: state.now, order: checkOrder - 0.5 } : { since: waiter.since, order: waiter.order }) } : {};
  // A check begun as a blocked loop wakes (after an overdue check failed) with its acquire's
  // deadline overdue too: its reply comes after every overdue timer, the deadline's among them,
  // so it is in flight when the deadline fires, however quick the query.
  // Only as the loop wakes: after it, the deadline's timer has fired, and a polled one need not have.
  const overdue = by.covered !== undefined && state.waking === true && by.covered.since + (state.config.acquireTimeoutMs as number) <= state.awakeSince;
  if (validationOf(state.semantics) === 'async' && (state.queryDelay > 0 || overdue)) {
    // The check is a query in flight: the connection is neither idle nor lent until it lands.
    const entry: Validating = { ticket, order: checkOrder, id, readyAt: state.now + state.queryDelay, fails, seq: state.nextIdleSeq, ...by, ...(took ? { took: true as const } : {}) };
    return replaceConn({ ...state, queryDelay: 0, nextOrder: order === undefined ? state.nextOrder + 1 : state.nextOrder, validating: [...state.validating, entry] }, { ...conn, state: 'validating', idleSince: null, kept: false, keptAt: null });
  }
  if (!fails) return answer(state, { ticket, outcome: 'served', candidates: [id], via });
  state = doom(replaceConn(state, { ...conn, state: 'idle' }), id, 'invalid');
  if (checkServesOf(state.semantics) === 'queue-head' && (!look || nextCheckFails(state, picks))) {
    // A check that serves the queue head, whose retry's check fails at once too (a connection the
    // server ended unheard): each failed check's `_destroy` refills the min before `_dispense`
    // moves the next idle connection into check, and a refill's connect refused at once is seen
    // before that check answers, as quick as it is (generic-pool, Pool.js:131-150, 166-192). The
    // look of the first failed check goes on after the last.
    // The acquire heads the queue as the refill begins, whose connects land after the checks.
    const head: Waiter = waiter ?? newWaiter(state, ticket);
    const refilled = refillServesQueue(withState(state, { waiters: [head, ...state.waiters.filter((w) => w.ticket !== ticket)], nextOrder: waiter === undefined ? state.nextOrder + 1 : state.nextOrder }), true);
    const queued = takeOrOpen(withState(refilled, { waiters: refilled.waiters.filter((w) => w.ticket !== ticket) }), ticket, picks, false, undefined, head, false);
    return !look || !queued.waiters.some((w) => w.ticket === ticket) ? queued : startQueueConnects(queued);
  }
  if (checkServesOf(state.semantics) !== 'queue-head' || !look) {
    // The acquire's deadline, set in its call, goes on over what it tries next; one that waited
    // before this check goes back to the queue with the timer it has had since.
    return takeOrOpen(state, ticket, picks, false, undefined, waiter ?? waitedBefore(state, ticket, by.covered), look, by.covered);
  }
  // A check that serves the queue head: its acquire never left the queue, and the failed check's
  // `_destroy` refills the min (`_ensureMinimum`) before `_dispense` looks at the queue
  // (generic-pool, Pool.js:131-150, 181-185), so where no idle connection is left for it, the
  // refill's connects come first and take the pending connect faults. With one left, its check
  // answers first and the refill's connects serve the queue behind. (Its deadline is a waiter's:
  // connects that serve the queue head leave `checkCovered` false.)
  const queued = takeOrOpen(state, ticket, picks, false, undefined, waiter, false);
  return queued.waiters.some((w) => w.ticket === ticket) ? startQueueConnects(refillServesQueue(queued)) : refillServesQueue(queued);
}

/** Whether the idle connection an acquire retrying now would check next is one the server ended unheard. */
function nextCheckFails(state: ModelState, picks: Picks): boolean {
  const idle = idleConns(state).filter((c) => !taken(state, c.id));
  if (idle.length === 0) return false;
  return isBroken(state, peekPick(picks, nextInReuse(state, idle)));
}

/** The waiter an acquire was, where its deadline began before this instant (a look took it from the queue). */
function waitedBefore(state: ModelState, ticket: number, covered: CoveredBy | undefined): Waiter | undefined {
  const timeout = state.config.acquireTimeoutMs;
  if (covered === undefined || covered.since === state.now || timeout === undefined) return undefined;
  return { ticket, order: covered.order, since: covered.since, deadline: covered.since + timeout };
}

/**
 * Whether an acquire's deadline bounds its check: the timeout covers the wait and the connect, and
 * the acquire waits apart from the queue for what it took (`lateCheck`).
 */
function checkCovered(state: ModelState): boolean {
  // A check that takes the head acquire out of the queue is that acquire's too (see `head-check.ts`).
  return state.config.acquireTimeoutMs !== undefined && timeoutRulesOf(state.semantics).covers === 'wait-and-connect' && (connectServesOf(state.semantics) === 'its-acquire' || checkTakesHead(state));
}

/**
 * Open connection `id` goes straight to the waiter `ticket` (released while it waited, or given
 * back by an acquire that was aborted during its check). Where the pool checks such a connection
 * too (`alsoChecks: ['released']`), it is validated first, as one taken from idle is: the check
 * takes the pending faults, a slow one holds the waiter pending, and one that fails closes the
 * connection and opens another for the waiter, whose capacity it freed.
 */
export function handedOver(state: ModelState, waiter: Waiter, id: number): ModelState {
  // The release's look hands any idle connection a rejected head left on to the next heads.
  if (!validatesAlso(state.semantics, 'released')) return idleToHeads(answer(state, { ticket: waiter.ticket, outcome: 'served', candidates: [id], via: 'handoff' }));
  return afterFailedChecks(state, validate(state, waiter.ticket, id, { list: [], next: 0 }, undefined, 'handoff', waiter));
}

/**
 * Where connects serve the queue head, a connection that failed its check in this step is
 * destroyed as a discard is: the pool first tries the next idle one or starts a connect for the
 * head (`_dispense`, Pool.js:118-133), and once the calls of the step have returned, the refill
 * and the look at the queue that follow a discard follow each such close too (sequelize-pool's
 * `destroy()` awaits the close, then `_ensureMinimum()` and a next-tick `_dispense()`,
 * Pool.js:237-250), one per connection closed.
 */
function afterFailedChecks(before: ModelState, after: ModelState): ModelState {
  // A check that serves the queue head refilled and looked as it failed (see `validate`).
  if (connectServesOf(after.semantics) !== 'queue-head' || checkServesOf(after.semantics) === 'queue-head') return after;
  const wasDoomed = new Set(before.conns.filter((c) => c.doomed !== null).map((c) => c.id));
  // Only a pool that looks at its queue on every discard (`queueConnects: 'one-per-dispense'`)
  // looks again; tarn's `_destroy` does not, and the look its `setTimeout(0)` makes after a
  // failed check is the one `takeOrOpen` made (Pool.js:309-321, 439-466).
  const looks = queueConnectsOf(after.semantics) === 'one-per-dispense';
  const closed = after.conns.filter((c) => c.doomed?.cause === 'invalid' && !wasDoomed.has(c.id));
  // Several closed in one step (connections the server ended unheard fail their checks too):
  // their closes settle together, so every look comes before the connect of the first one lands.
  const together = closed.length > 1;
  let state = after;
  for (const _ of closed) {
    const refilled = refillServesQueue(state);
    state = !looks ? refilled : together ? startQueueConnects(refilled, true) : serveWaiters(refilled);
  }
  return state;
}

export interface Picks {
  readonly list: readonly number[];
  next: number;
}

/**
 * Acquire `ticket` takes the first idle connection in reuse order (validating it where the pool
 * does), else a new connection while there is capacity, else (`mayWait`) it waits.
 */
export function takeOrOpen(before: ModelState, ticket: number, picks: Picks, mayWait: boolean, after?: Validating, requeued?: Waiter, look = true, coveredBy?: CoveredBy): ModelState {
  // A retry after a failed check (`mayWait` false) is an acquire that took its capacity already.
  if (mayWait || !checkTakesSlot(before)) return takeOrOpenOnce(before, ticket, picks, mayWait, after, requeued, look, coveredBy, false);
  return answersTook(takeOrOpenOnce(before, ticket, picks, mayWait, after, requeued, look, coveredBy, true), before.answers.length, ticket);
}

function takeOrOpenOnce(before: ModelState, ticket: number, picks: Picks, mayWait: boolean, after: Validating | undefined, requeued: Waiter | undefined, look: boolean, coveredBy: CoveredBy | undefined, took: boolean): ModelState {
  const state = before;
  // An acquire whose check failed keeps the deadline it has had since it began, over what it
  // tries next: another check, or a connect.
  const covered = coveredBy ?? after?.covered ?? (requeued === undefined ? undefined : { since: requeued.since, order: requeued.order });
  if (validationOf(state.semantics) !== 'none') {
    const expired = after === undefined ? null : expiredBefore(state, after);
    const idle = idleConns(state).filter((c) => !taken(state, c.id) && expired?.has(c.id) !== true);
    const orphan = expired === null ? undefined : bestOrphan(state, expired);
    const lifo = state.semantics.reuse === 'lifo';
    if (orphan !== undefined && idle.every((c) => (lifo ? c.idleSeq < orphan.seq : c.idleSeq > orphan.seq))) {
      // A connection that landed idle for an aborted acquire earlier in this step: the runner
      // learns its id from the real call. No fault can be pending for its check (none is injected
      // while a check is in flight), so it passes.
      if (covered !== undefined && checkCovered(state) && covered.since + (state.config.acquireTimeoutMs as number) <= state.awakeSince) {
        // Its check began as a blocked loop woke, with the acquire's deadline overdue too: the
        // deadline fires before the reply, and the connection goes as `lateCheck` says: back to
        // idle after the overdue timers, or closed.
        const closed = timeoutRulesOf(state.semantics).lateCheck === 'closed';
        const back: Orphan = { ...orphan, fate: closed ? 'closed' : 'idle', seq: state.nextIdleSeq };
        const requeued = { ...state, orphans: state.orphans.map((o) => (o === orphan ? back : o)), nextIdleSeq: state.nextIdleSeq + 1 };
        return answer(closed ? serveWaiters(requeued) : requeued, { ticket, outcome: 'rejected', reason: 'timed out' });
      }
      const left = after === undefined ? undefined : { at: after.readyAt, seq: after.seq, since: { at: orphan.at, due: orphan.due, began: orphan.began } };
      return answer(servedNew({ ...state, orphans: state.orphans.filter((o) => o !== orphan) }, orphan.startedAt, undefined, left), { ticket, outcome: 'served', candidates: [], via: 'reuse' });
    }
    // Only one whose expiry did not close it first, for an acquire no deadline covers the check of.
    const landed = after === undefined || (covered !== undefined && checkCovered(state)) ? undefined : bestLanded(state, expired ?? new Set());
    const landedSeq = landed?.seq ?? NaN;
    if (landed !== undefined && (orphan === undefined || (lifo ? landedSeq > orphan.seq : landedSeq < orphan.seq)) && idle.every((c) => (lifo ? c.idleSeq < landedSeq : c.idleSeq > landedSeq))) {
      // A connection that landed idle for nobody earlier in this step (a refill's), which the
      // runner learns from the real call, and passes its check as an orphan does.
      const entry = state.failedConnects.findIndex((f) => f.stays === true && f.at === landed.at);
      const found = entry < 0 ? undefined : (state.failedConnects[entry] as FailedConnect);
      const startedAt = found === undefined ? landed.at : found.startedAt;
      const rest = { ...state, landedUnasked: state.landedUnasked.filter((l) => l !== landed), failedConnects: state.failedConnects.filter((_, i) => i !== entry) };
      // Idle from its landing until this retry took it: an idle floor deciding an expiry then counted it.
      const left = after === undefined ? undefined : { at: after.readyAt, seq: after.seq, since: { at: landed.at, due: found?.due ?? landed.at, began: found?.seq } };
      return answer(servedNew(rest, startedAt, undefined, left), { ticket, outcome: 'served', candidates: [], via: 'reuse' });
    }
    if (idle.length > 0) {
      const id = pickOf(picks, nextInReuse(state, idle));
      if (after === undefined) return validate(state, ticket, id, picks, undefined, 'reuse', undefined, look, covered, took);
      // Taken as a check's timer fired: an idle floor deciding an expiry before then counted it.
      const conn = findConn(state, id) as ModelConn;
      // At a wake the check's timer fired in due order among the overdue ones: its due time counts.
      return validate(replaceConn(state, { ...conn, leftIdle: { at: after.readyAt, seq: after.seq } }), ticket, id, picks, undefined, 'reuse', undefined, true, covered, took);
    }
  }
  const queued = connectServesOf(state.semantics) === 'queue-head';
  if (!queued && capacityUsed(state) < state.config.maxSize) return covered === undefined ? openFor(state, ticket, state.now, state.nextOrder - 0.5, took) : openFor(state, ticket, covered.since, covered.order, took);
  if (!mayWait && !queued) throw new Error(`poolcheck model: acquire #${ticket} has neither an idle connection nor capacity after a failed validation`);
  // A waiter handed a connection that failed its check keeps the timer it has had since its acquire.
  const waiter: Waiter = requeued ?? newWaiter(state, ticket);
  // An acquire whose connection failed its check was first: it goes back to the head of the queue
  // (tarn's `pendingAcquires.unshift`). A new one joins at the back.
  const waiting = withState(state, { waiters: mayWait ? [...state.waiters, waiter] : [waiter, ...state.waiters], nextOrder: requeued === undefined ? state.nextOrder + 1 : state.nextOrder });
  // Its timer is set first, in acquire(); then the pool starts a connect if the queue needs one.
  // `look`: false where the caller makes the look later (see `acquiresIssued`).
  return queued && look ? startQueueConnects(waiting) : waiting;
}

/**
 * The connections whose expiry fired before the check `after` landed: timers fire in due order,
 * and at one instant in the order they were set. A floor keeps one that comes due with no more
 * than min open, counting the ones that expired before it. The log has not said any of this yet
 * when the retry is decided. Orphans kept idle are among them: the floor counts them, and keeps
 * them, as it does any idle connection.
 */
export function expiredBefore(state: ModelState, after: Validating): Set<Expiring> {
  const gone = new Set<Expiring>();
  const timer = state.semantics.expiry.kind === 'timer';
  const lifetime = lifetimeOf(state);
  const due = (c: ModelConn): number => (timer && c.idleSince !== null ? c.idleSince + (lifetime ?? Infinity) : (windowOf(state, c)?.to ?? Infinity));
  const before = (at: number, seq: number): boolean => at < after.readyAt || (at === after.readyAt && seq < after.seq);
  const comingDue: { key: Expiring; due: number; seq: number }[] = idleConns(state)
    .filter((c) => windowOf(state, c)?.cause === 'expiry')
    .map((c) => ({ key: c.id, due: due(c), seq: c.idleSeq }));
  // An orphan's own timer was armed as it landed; a reaper's runs are not modelled for it here.
  if (timer && lifetime !== null) for (const o of state.orphans) if (o.fate === 'idle') comingDue.push({ key: o, due: o.at + lifetime, seq: o.seq });
  // So was a connection that landed idle for nobody (a refill's), where it was armed as it landed.
  if (timer && lifetime !== null) for (const l of state.landedUnasked) if (l.fate === 'idle' && l.seq !== undefined && l.armed !== false) comingDue.push({ key: l, due: l.at + lifetime, seq: l.seq });
  const floored = minOf(state.semantics).floor !== 'none';
  for (const item of comingDue.filter((c) => before(c.due, c.seq)).sort((a, b) => a.due - b.due || a.seq - b.seq)) {
    // An idle floor under per-connection timers counts what is idle as the expiry fires, not a
    // refill's connect still in flight (the own pool's `floorCount()` is its idle size).
    const counted = timer && minOf(state.semantics).floor === 'idle' ? idleFloorAtExpiry(state, item.due, item.due, item.seq) : floorCount(state, item.due);
    if (floored && counted - gone.size <= state.config.minSize) continue;
    gone.add(item.key);
  }
  return gone;
}

/** A connection that landed idle for nobody in this step, not yet named by the log. */
type Landed = ModelState['landedUnasked'][number];

/** What may expire before a check lands: an idle connection (by id), an orphan or a landed connection. */
type Expiring = number | Orphan | Landed;

/** The orphan kept idle that an acquire retrying after a check would take first, unless its expiry fired before (`expired`). */
function bestOrphan(state: ModelState, expired: ReadonlySet<Expiring>): Orphan | undefined {
  const lifo = state.semantics.reuse === 'lifo';
  let best: Orphan | undefined;
  for (const o of state.orphans) {
    if (o.fate !== 'idle' || expired.has(o)) continue;
    if (best === undefined || (lifo ? o.seq > best.seq : o.seq < best.seq)) best = o;
  }
  return best;
}

/**
 * The connection that landed idle for nobody in this step, not yet named by the log, that an
 * acquire retrying after a check would take first, unless its expiry fired before (`expired`).
 */
function bestLanded(state: ModelState, expired: ReadonlySet<Expiring>): Landed | undefined {
  const lifo = state.semantics.reuse === 'lifo';
  let best: Landed | undefined;
  for (const l of state.landedUnasked) {
    if (l.fate !== 'idle' || l.seq === undefined || expired.has(l)) continue;
    if (best === undefined || (lifo ? l.seq > (best.seq as number) : l.seq < (best.seq as number))) best = l;
  }
  return best;
}

/** Already promised, in this step, to an acquire issued before (a burst takes one each). */
function taken(state: ModelState, id: number): boolean {
  return state.answers.some((a) => a.outcome === 'served' && a.via === 'reuse' && a.candidates.length === 1 && a.candidates[0] === id);
}
