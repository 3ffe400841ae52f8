import { ALSO_VALIDATED, CHECK_SERVES, MIN_REFILLS, minOf, type Semantics } from '../model/semantics.js';
import type { CheckOptions } from './check.js';
import { DefinitionError } from './violation-error.js';

const ADAPTER_METHODS = ['create', 'acquire', 'release', 'query', 'connectionId', 'counters', 'close', 'terminate'] as const;

/**
 * Checks the options and the adapter's shape, so a wrong definition fails before any run.
 * `semantics: 'optional'` (for `infer`, which finds them) accepts an adapter that declares none.
 */
export function validateCheckOptions(options: CheckOptions, semantics: 'required' | 'optional' = 'required'): void {
  const adapter = options.adapter as unknown as Record<string, unknown> | undefined;
  if (adapter === undefined || adapter === null || typeof adapter !== 'object') {
    throw new DefinitionError('poolcheck: `adapter` is required: pass an object with name, semantics and the pool methods (see docs/adapters.md)');
  }
  if (typeof adapter['name'] !== 'string' || adapter['name'] === '') throw new DefinitionError('poolcheck: the adapter needs a non-empty `name` string');
  const missing = ADAPTER_METHODS.filter((m) => typeof adapter[m] !== 'function');
  if (missing.length > 0) {
    throw new DefinitionError(`poolcheck: adapter '${String(adapter['name'])}' is missing method(s) ${missing.join(', ')}; every adapter maps ${ADAPTER_METHODS.join(', ')}`);
  }
  const declared = semantics === 'required' || adapter['semantics'] !== undefined;
  if (declared && (typeof adapter['semantics'] !== 'object' || adapter['semantics'] === null)) {
    throw new DefinitionError(`poolcheck: adapter '${String(adapter['name'])}' must declare its expiry \`semantics\` (see docs/adapters.md; \`poolcheck infer\` finds them)`);
  }
  if (declared) validateSemantics(String(adapter['name']), adapter['semantics'] as Record<string, unknown>);
  const caps = (adapter['semantics'] as { capabilities?: { destroy?: unknown } } | undefined)?.capabilities;
  if (caps?.destroy === true && typeof adapter['destroy'] !== 'function') {
    throw new DefinitionError(`poolcheck: adapter '${String(adapter['name'])}' declares capabilities.destroy but has no destroy(pool, conn) method; add one, or declare destroy: false`);
  }
  wholeAtLeast('numRuns', options.numRuns, 1);
  wholeAtLeast('maxCommands', options.maxCommands, 1);
  wholeAtLeast('runTimeoutMs', options.runTimeoutMs, 1);
  if (options.shrink !== undefined && typeof options.shrink !== 'boolean') throw new DefinitionError(`poolcheck: shrink must be true or false, got ${JSON.stringify(options.shrink)}`);
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new DefinitionError(`poolcheck: seed must be an integer, got ${String(options.seed)}`);
  if (options.path !== undefined && !/^\d+(:\d+)*$/.test(options.path)) {
    throw new DefinitionError(`poolcheck: path must look like '12:0:3' (as printed with a failure), got '${options.path}'`);
  }
  if (options.path !== undefined && options.seed === undefined) throw new DefinitionError('poolcheck: path replays a failure only together with the seed it was printed with; pass both');
  if (options.replayPath !== undefined && options.path === undefined) throw new DefinitionError('poolcheck: replayPath goes with the seed and path printed beside it; pass all three');
}

const CHOICES: Readonly<Record<string, readonly unknown[]>> = {
  armsOn: ['release', 'release-and-create'],
  reuse: ['lifo', 'fifo'],
  handoff: ['microtask', 'immediate', 'timeout', 'macrotask'],
};

/** Optional fields with a closed set of values: left out, or one of these. */
const OPTIONAL_CHOICES: Readonly<Record<string, readonly unknown[]>> = {
  min: ['ignored', 'floor', 'floor-refill'],
  minFloor: ['size', 'idle', 'none'],
  minOpens: ['on-create', 'first-acquire', 'never'],
  opensMinOnCreate: [true, false],
};

function validateSemantics(name: string, semantics: Record<string, unknown>): void {
  for (const [field, choices] of Object.entries(CHOICES)) {
    if (!choices.includes(semantics[field])) {
      throw new DefinitionError(`poolcheck: adapter '${name}' declares semantics.${field} = ${JSON.stringify(semantics[field])}; it must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
    }
  }
  validateZeroLifetime(name, semantics['zeroLifetime']);
  validateMin(name, semantics);
  const close = semantics['gracefulClose'];
  const byTimer = close as { kind?: unknown; withinMs?: unknown } | null;
  const validTimer = typeof byTimer === 'object' && byTimer !== null && byTimer.kind === 'idle-by-timer' && Object.keys(byTimer).length === 2 && typeof byTimer.withinMs === 'number' && Number.isInteger(byTimer.withinMs) && byTimer.withinMs >= 1;
  if (close !== undefined && close !== 'idle-at-once' && close !== 'after-last-release' && !validTimer) {
    throw new DefinitionError(`poolcheck: adapter '${name}' declares semantics.gracefulClose = ${JSON.stringify(close)}; it must be "idle-at-once", "after-last-release", { kind: 'idle-by-timer', withinMs } with withinMs a whole number >= 1, or left out (idle-at-once)`);
  }
  const expiry = semantics['expiry'] as { kind?: unknown } | undefined;
  if (expiry?.kind !== 'timer' && expiry?.kind !== 'reaper') {
    throw new DefinitionError(`poolcheck: adapter '${name}' declares semantics.expiry = ${JSON.stringify(expiry)}; it must be { kind: 'timer' } or { kind: 'reaper', intervalMs, startsOn, compare, maxPerRun }`);
  }
  if (expiry.kind === 'reaper') validateReaper(name, expiry as unknown as Record<string, unknown>);
  if (semantics['capabilities'] !== undefined) validateCapabilities(name, semantics['capabilities']);
  validateValidation(name, semantics);
}

/** `abort.lateCheck`: what an abort does to a connection under an async check. */
function validateAbortedCheck(where: string, abort: Record<string, unknown>, check: unknown): void {
  const late = abort['lateCheck'];
  if (late === undefined) return;
  if (late !== 'kept' && late !== 'closed') throw new DefinitionError(`${where}.capabilities.abort.lateCheck = ${JSON.stringify(late)}; it must be "kept", "closed", or left out (kept): what becomes of a connection under check when its acquire is aborted`);
  if (check !== 'async') throw new DefinitionError(`${where}.capabilities.abort.lateCheck applies only to an asynchronous check, which an abort can come during; declare validation "async", or leave abort.lateCheck out`);
}

/** `validation` and the capabilities that need it: abort, failedValidation, slowQuery. */
function validateValidation(name: string, semantics: Record<string, unknown>): void {
  const where = `poolcheck: adapter '${name}' declares semantics`;
  const raw = semantics['validation'];
  // The long form, { check, alsoChecks?, serves? }, or undefined for a bare value.
  const long = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : undefined;
  const check = long !== undefined ? long['check'] : raw;
  if (raw !== undefined && !['none', 'sync', 'async'].includes(check as string)) {
    throw new DefinitionError(`${where}.validation = ${JSON.stringify(raw)}; it must be "none", "sync", "async", { check: "sync" | "async", alsoChecks?, serves? }, or left out (none)`);
  }
  const caps = (semantics['capabilities'] ?? {}) as Record<string, unknown>;
  if (long !== undefined) {
    validateAlsoChecks(where, long);
    validateCheckServes(where, long, caps);
  }
  for (const flag of ['failedValidation', 'slowQuery']) {
    if (caps[flag] !== undefined && typeof caps[flag] !== 'boolean') throw new DefinitionError(`${where}.capabilities.${flag} = ${JSON.stringify(caps[flag])}; it must be true, false, or left out (false)`);
  }
  if (caps['failedValidation'] === true && (check === undefined || check === 'none')) throw new DefinitionError(`${where}.capabilities: failedValidation needs a validation ("sync" or "async"): a pool that checks nothing has no validation to fail`);
  if ((long?.['alsoChecks'] as unknown[] | undefined)?.includes('opened') === true && caps['connectServes'] !== 'queue-head') {
    throw new DefinitionError(`${where}.validation.alsoChecks has "opened", which poolcheck models for connects that serve the queue head (a new connection goes to the head through the check); declare capabilities.connectServes "queue-head" if the pool's connects do, or leave "opened" out`);
  }
  if (caps['slowQuery'] === true && check !== 'async') throw new DefinitionError(`${where}.capabilities: slowQuery needs validation "async": a slow query matters while the pool awaits one before lending`);
  const lateCheck = caps['lateCheck'];
  if (lateCheck !== undefined && lateCheck !== 'kept' && lateCheck !== 'closed') throw new DefinitionError(`${where}.capabilities.lateCheck = ${JSON.stringify(lateCheck)}; it must be "kept", "closed", or left out (kept): what becomes of a connection under check when its acquire's deadline comes`);
  if (lateCheck !== undefined && (caps['acquireTimeoutCovers'] !== 'wait-and-connect' || check !== 'async')) throw new DefinitionError(`${where}.capabilities.lateCheck applies only where one acquire deadline covers an asynchronous check; declare acquireTimeoutCovers: "wait-and-connect" with validation "async", or leave lateCheck out`);
  const abort = caps['abort'];
  if (abort !== undefined && abort !== null) {
    const late = typeof abort === 'object' ? (abort as Record<string, unknown>)['lateConnection'] : undefined;
    if (late !== 'closed' && late !== 'idle') throw new DefinitionError(`${where}.capabilities.abort = ${JSON.stringify(abort)}; it must be { lateConnection: "closed" | "idle" } (what happens to a connection that lands after its acquire was aborted), or null`);
    if (caps['waiters'] !== true) throw new DefinitionError(`${where}.capabilities: abort needs waiters: true, since only a pending acquire can be aborted`);
    validateAbortedCheck(where, abort as Record<string, unknown>, check);
  }
}

/** The long form of `validation`: `check`, and which connections it also checks. */
function validateAlsoChecks(where: string, raw: Record<string, unknown>): void {
  const extra = Object.keys(raw).filter((k) => k !== 'check' && k !== 'alsoChecks' && k !== 'serves');
  if (extra.length > 0) throw new DefinitionError(`${where}.validation has ${extra.map((k) => JSON.stringify(k)).join(', ')}, which poolcheck does not know; the long form is { check: "sync" | "async", alsoChecks: [${ALSO_VALIDATED.map((v) => JSON.stringify(v)).join(', ')}], serves?: ${CHECK_SERVES.map((v) => JSON.stringify(v)).join(' | ')} }`);
  const also = raw['alsoChecks'];
  if (also !== undefined && (!Array.isArray(also) || also.some((v) => !(ALSO_VALIDATED as readonly unknown[]).includes(v)) || new Set(also).size !== also.length)) {
    throw new DefinitionError(`${where}.validation.alsoChecks = ${JSON.stringify(also)}; it must be a list of distinct values among ${ALSO_VALIDATED.map((v) => JSON.stringify(v)).join(', ')} (the connections checked besides the idle ones an acquire takes), or left out ([])`);
  }
  const serves = raw['serves'];
  if (serves !== undefined && !(CHECK_SERVES as readonly unknown[]).includes(serves)) {
    throw new DefinitionError(`${where}.validation.serves = ${JSON.stringify(serves)}; it must be ${CHECK_SERVES.map((v) => JSON.stringify(v)).join(' or ')} (whom a connection that passes its check goes to), or left out ("its-acquire")`);
  }
}

/**
 * `validation.serves: 'queue-head'`: a check that belongs to no acquire is modelled for a pool
 * that puts every connection it lends through it (idle, released and new ones alike) and whose
 * connects serve the queue head too, with a check that answers after the calls of a burst.
 */
function validateCheckServes(where: string, raw: Record<string, unknown>, caps: Record<string, unknown>): void {
  if (raw['serves'] !== 'queue-head') return;
  const also = (raw['alsoChecks'] ?? []) as unknown[];
  if (raw['check'] !== 'async' || !also.includes('released') || !also.includes('opened') || caps['connectServes'] !== 'queue-head') {
    throw new DefinitionError(`${where}.validation.serves is "queue-head", which poolcheck models for a pool that checks every connection it lends, for no acquire of its own, and whose connects serve the queue head: declare { check: "async", alsoChecks: ["released", "opened"], serves: "queue-head" } with capabilities.connectServes "queue-head" if the pool does, or leave serves out`);
  }
}

function validateZeroLifetime(name: string, zero: unknown): void {
  if (zero === 'disables' || zero === 'create-fails' || zero === 'due-at-once' || zero === 'rejected') return;
  const replaced = zero as { kind?: unknown; ms?: unknown } | null;
  if (typeof replaced === 'object' && replaced !== null && replaced.kind === 'default' && Object.keys(replaced).length === 2 && typeof replaced.ms === 'number' && Number.isInteger(replaced.ms) && replaced.ms >= 1) return;
  throw new DefinitionError(`poolcheck: adapter '${name}' declares semantics.zeroLifetime = ${JSON.stringify(zero)}; it must be "disables", "create-fails", "due-at-once", { kind: 'default', ms } with ms a whole number >= 1, or "rejected" (0 is then never drawn)`);
}

/**
 * The min questions, answered once each: by the shorthand (`min`, `opensMinOnCreate`) or by the
 * fields, never both, so that no declaration says two things.
 */
function validateMin(name: string, semantics: Record<string, unknown>): void {
  const where = `poolcheck: adapter '${name}' declares semantics`;
  for (const [field, choices] of Object.entries(OPTIONAL_CHOICES)) {
    const value = semantics[field];
    if (value !== undefined && !choices.includes(value)) throw new DefinitionError(`${where}.${field} = ${JSON.stringify(value)}; it must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, or left out`);
  }
  const refill = semantics['minRefill'];
  if (refill !== undefined && (!Array.isArray(refill) || refill.some((r) => !(MIN_REFILLS as readonly unknown[]).includes(r)) || new Set(refill).size !== refill.length)) {
    throw new DefinitionError(`${where}.minRefill = ${JSON.stringify(refill)}; it must be a list of distinct values among ${MIN_REFILLS.map((c) => JSON.stringify(c)).join(', ')} ([] for never)`);
  }
  if (semantics['min'] !== undefined && (semantics['minFloor'] !== undefined || refill !== undefined)) {
    throw new DefinitionError(`${where} both min (shorthand) and minFloor/minRefill; declare one: min = ${JSON.stringify(semantics['min'])} stands for minFloor and minRefill together`);
  }
  if (semantics['min'] === undefined && semantics['minFloor'] === undefined) throw new DefinitionError(`${where} no min floor; declare minFloor ("size", "idle" or "none") with minRefill, or the shorthand min`);
  if (semantics['opensMinOnCreate'] !== undefined && semantics['minOpens'] !== undefined) {
    throw new DefinitionError(`${where} both opensMinOnCreate (shorthand) and minOpens; declare one`);
  }
  if (semantics['opensMinOnCreate'] === undefined && semantics['minOpens'] === undefined) throw new DefinitionError(`${where} no minOpens; declare when the pool first opens its min: "on-create", "first-acquire" or "never"`);
  const min = minOf(semantics as unknown as Semantics);
  const expiry = semantics['expiry'] as { kind?: unknown } | undefined;
  if (min.refill.includes('on-reaper-run') && expiry?.kind !== 'reaper') throw new DefinitionError(`${where}.minRefill includes "on-reaper-run", but expiry is not a reaper; a pool with per-connection timers has no reaper run to refill on`);
  const decided = semantics['discardRefill'];
  if (decided !== undefined && decided !== 'at-discard' && decided !== 'when-closed') throw new DefinitionError(`${where}.discardRefill = ${JSON.stringify(decided)}; it must be "at-discard" (a refill after a discard is decided as the connection is discarded), "when-closed" (once its close has completed), or left out (at-discard)`);
}

const CAPABILITY_FLAGS = ['waiters', 'destroy', 'slowConnect'] as const;

/** Capabilities that may be left out, checked with the field they need (`validateValidation`). */
const OPTIONAL_CAPABILITIES = ['abort', 'failedValidation', 'slowQuery'] as const;

function validateCapabilities(name: string, raw: unknown): void {
  const where = `poolcheck: adapter '${name}' declares semantics.capabilities`;
  if (typeof raw !== 'object' || raw === null) throw new DefinitionError(`${where} = ${JSON.stringify(raw)}; it must be an object (see docs/semantics.md, "Waits and faults"), or left out for none`);
  const caps = raw as Record<string, unknown>;
  for (const flag of CAPABILITY_FLAGS) {
    // Left out means off (capabilitiesOf fills it in).
    if (caps[flag] !== undefined && typeof caps[flag] !== 'boolean') throw new DefinitionError(`${where}.${flag} = ${JSON.stringify(caps[flag])}; it must be true or false, or left out for false`);
  }
  const broken = caps['brokenIdle'];
  if (broken !== undefined && broken !== true && broken !== false && broken !== 'unnoticed') throw new DefinitionError(`${where}.brokenIdle = ${JSON.stringify(broken)}; it must be true (the pool hears of a break and drops the connection at once), "unnoticed" (it does not: the connection stays idle until its check or a query finds it broken), false, or left out for false`);
  validateFailedConnect(where, caps);
  const close = caps['closeRejectsWaiters'] ?? false;
  if (close !== true && close !== false && close !== 'after-last-release') throw new DefinitionError(`${where}.closeRejectsWaiters = ${JSON.stringify(close)}; it must be true, false or "after-last-release", or left out for false`);
  const terminate = caps['terminateRejectsWaiters'];
  if (terminate !== undefined && typeof terminate !== 'boolean') throw new DefinitionError(`${where}.terminateRejectsWaiters = ${JSON.stringify(terminate)}; it must be true or false, or left out (as closeRejectsWaiters)`);
  if (terminate === true && caps['waiters'] !== true) throw new DefinitionError(`${where}: terminateRejectsWaiters needs waiters: true`);
  const duringConnect = caps['closeDuringConnect'];
  if (duringConnect !== undefined && duringConnect !== 'serves' && duringConnect !== 'rejects' && duringConnect !== 'lands-idle') throw new DefinitionError(`${where}.closeDuringConnect = ${JSON.stringify(duringConnect)}; it must be "serves" (the acquire gets the connection), "rejects" (the acquire is rejected, the connection closed as it lands), "lands-idle" (with connectServes "queue-head": the connection lands idle for no waiter), or left out (connects land before a close)`);
  if (duringConnect !== undefined && caps['slowConnect'] !== true) throw new DefinitionError(`${where}: closeDuringConnect needs slowConnect: true, since only a slow connect is in flight when close() is called`);
  const terminateConnect = caps['terminateDuringConnect'];
  if (terminateConnect !== undefined && terminateConnect !== 'rejects' && terminateConnect !== 'rejects-on-landing' && terminateConnect !== 'lands-idle') throw new DefinitionError(`${where}.terminateDuringConnect = ${JSON.stringify(terminateConnect)}; it must be "rejects" (the acquire is rejected when terminate() is called), "rejects-on-landing" (when its connect lands), "lands-idle" (with connectServes "queue-head": terminate waits for the connection to land and closes it), or left out (terminate is drawn with no connect in flight)`);
  if (terminateConnect !== undefined && caps['slowConnect'] !== true) throw new DefinitionError(`${where}: terminateDuringConnect needs slowConnect: true, since only a slow connect is in flight when terminate() is called`);
  const burst = caps['burstConnects'];
  if (burst !== undefined && burst !== 'in-call' && burst !== 'after-burst') throw new DefinitionError(`${where}.burstConnects = ${JSON.stringify(burst)}; it must be "in-call", "after-burst", or left out (in-call)`);
  const timeout = caps['acquireTimeout'] ?? null;
  if (timeout !== null && timeout !== 'optional' && timeout !== 'required') {
    throw new DefinitionError(`${where}.acquireTimeout = ${JSON.stringify(timeout)}; it must be "optional", "required" or null (or left out for null)`);
  }
  if (timeout !== null && caps['waiters'] !== true) throw new DefinitionError(`${where}: an acquireTimeout needs waiters: true, since only a waiting acquire can time out`);
  if (close !== false && caps['waiters'] !== true) throw new DefinitionError(`${where}: closeRejectsWaiters needs waiters: true`);
  validateTimeoutRules(where, caps);
  validateConnectServes(where, caps);
  const fields = [...CAPABILITY_FLAGS, 'brokenIdle', 'failedConnect', 'acquireTimeout', 'closeRejectsWaiters', 'terminateRejectsWaiters', 'closeDuringConnect', 'terminateDuringConnect', 'burstConnects', 'connectServes', 'connectsInFloor', 'queueConnects', ...TIMEOUT_FIELDS, ...OPTIONAL_CAPABILITIES];
  const unknown = Object.keys(caps).filter((k) => !fields.includes(k));
  if (unknown.length > 0) throw new DefinitionError(`${where} has unknown field(s) ${unknown.join(', ')}; the fields are ${[...new Set(fields)].join(', ')}`);
}

/**
 * `failedConnect`: `true`/`false`, or `{ retry: 'at-once' | { afterMs }, perLook?,
 * connectTimeoutMs?, rejectsHead? }` for a pool that retries a failed connect for its acquire. A
 * retry after a delay is modelled as a look at the queue, so it needs connects that serve the
 * queue head; so does `rejectsHead`, which needs that delay.
 */
function validateFailedConnect(where: string, caps: Record<string, unknown>): void {
  const failed = caps['failedConnect'];
  if (failed === undefined || typeof failed === 'boolean') return;
  const shape = `it must be true (the acquire is rejected), false, or { retry: "at-once" } / { retry: { afterMs: N } } for a pool that retries the connect for its acquire`;
  if (typeof failed !== 'object' || failed === null) throw new DefinitionError(`${where}.failedConnect = ${JSON.stringify(failed)}; ${shape}`);
  const { retry, perLook, connectTimeoutMs, rejectsHead, ...extra } = failed as Record<string, unknown>;
  const afterMs = typeof retry === 'object' && retry !== null ? (retry as Record<string, unknown>)['afterMs'] : undefined;
  if (Object.keys(extra).length > 0 || (retry !== 'at-once' && (typeof afterMs !== 'number' || !Number.isInteger(afterMs) || afterMs < 1))) {
    throw new DefinitionError(`${where}.failedConnect = ${JSON.stringify(failed)}; ${shape} (afterMs a whole number of ms >= 1, perLook "shortfall" or "one")`);
  }
  if (perLook !== undefined && perLook !== 'shortfall' && perLook !== 'one') throw new DefinitionError(`${where}.failedConnect.perLook = ${JSON.stringify(perLook)}; it must be "shortfall", "one", or left out (shortfall)`);
  if (retry !== 'at-once' && caps['connectServes'] !== 'queue-head') {
    throw new DefinitionError(`${where}.failedConnect retries after ${String(afterMs)} ms, which poolcheck models as the pool looking at its queue again then, so it needs connectServes: "queue-head"; declare retry: "at-once" if the pool retries as the failure is seen`);
  }
  if (connectTimeoutMs !== undefined && (typeof connectTimeoutMs !== 'number' || !Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1)) throw new DefinitionError(`${where}.failedConnect.connectTimeoutMs = ${JSON.stringify(connectTimeoutMs)}; it must be a whole number of ms >= 1, or left out (a connect is waited for however long)`);
  if (connectTimeoutMs !== undefined && caps['connectServes'] !== 'queue-head') throw new DefinitionError(`${where}.failedConnect.connectTimeoutMs is modelled for connects that serve the queue head only; declare connectServes: "queue-head", or leave connectTimeoutMs out`);
  if (perLook !== undefined && retry === 'at-once') throw new DefinitionError(`${where}.failedConnect.perLook applies to a retry after a delay; leave it out with retry: "at-once"`);
  if (rejectsHead !== undefined && typeof rejectsHead !== 'boolean') throw new DefinitionError(`${where}.failedConnect.rejectsHead = ${JSON.stringify(rejectsHead)}; it must be true, false, or left out (no acquire sees the error)`);
  // Rejecting the head and looking at the queue again as the failure is seen is what
  // failedConnect: true says where connects serve the queue head; rejectsHead is for a pool that
  // waits for its retry's timer. (Its need of connectServes: "queue-head" comes with afterMs.)
  if (rejectsHead === true && retry === 'at-once') throw new DefinitionError(`${where}.failedConnect.rejectsHead with retry: "at-once" would reject the head and look at the queue again as the failure is seen, which is failedConnect: true with connectServes: "queue-head"; declare that, or a retry: { afterMs: N } for a pool that waits for a timer before it looks again`);
}

/**
 * A connect that serves the head of the queue: its acquire waits in the queue, so the acquire
 * timeout runs over the connect and the connect goes on when it fires. What such a pool does with
 * a failed connect, or with a connect in flight at close, is not modelled yet: refused, not guessed.
 */
function validateConnectServes(where: string, caps: Record<string, unknown>): void {
  const inFloor = caps['connectsInFloor'];
  if (inFloor !== undefined && typeof inFloor !== 'boolean') throw new DefinitionError(`${where}.connectsInFloor = ${JSON.stringify(inFloor)}; it must be true or false, or left out (true: a floor on size counts connects in flight)`);
  const serves = caps['connectServes'];
  const looks = caps['queueConnects'];
  if (looks !== undefined && looks !== 'shortfall' && looks !== 'one-per-dispense') throw new DefinitionError(`${where}.queueConnects = ${JSON.stringify(looks)}; it must be "shortfall" (connects while the queue outnumbers those in flight), "one-per-dispense" (one each time the pool looks at its queue), or left out (shortfall)`);
  if (looks === 'one-per-dispense' && serves !== 'queue-head') throw new DefinitionError(`${where}: queueConnects "one-per-dispense" needs connectServes: "queue-head", since it says how many connects a pool whose connects serve the queue starts for it; leave queueConnects out for this pool`);
  if ((serves === undefined || serves === 'its-acquire') && caps['closeDuringConnect'] === 'lands-idle') throw new DefinitionError(`${where}: closeDuringConnect "lands-idle" needs connectServes: "queue-head", since it says what becomes of a connect that is for no acquire; declare "serves" or "rejects" for a connect that is its acquire's`);
  if ((serves === undefined || serves === 'its-acquire') && caps['terminateDuringConnect'] === 'lands-idle') throw new DefinitionError(`${where}: terminateDuringConnect "lands-idle" needs connectServes: "queue-head", since it says what becomes of a connect that is for no acquire; declare "rejects" or "rejects-on-landing" for a connect that is its acquire's`);
  if (serves === undefined || serves === 'its-acquire') return;
  if (serves !== 'queue-head') throw new DefinitionError(`${where}.connectServes = ${JSON.stringify(serves)}; it must be "its-acquire", "queue-head", or left out (its-acquire)`);
  if (caps['waiters'] !== true) throw new DefinitionError(`${where}: connectServes "queue-head" needs waiters: true, since an acquire waits in the queue for the connect that serves it`);
  const timeout = caps['acquireTimeout'] ?? null;
  if (timeout !== null && (caps['acquireTimeoutCovers'] !== 'wait-and-connect' || (caps['lateConnect'] ?? 'kept') !== 'kept')) {
    throw new DefinitionError(`${where}: connectServes "queue-head" keeps an acquire in the queue while a connect is in flight, so its timeout covers the connect and the connect goes on; declare acquireTimeoutCovers: "wait-and-connect" with lateConnect "kept" (or left out)`);
  }
  const duringConnect = caps['closeDuringConnect'];
  if (duringConnect !== undefined && duringConnect !== 'lands-idle') throw new DefinitionError(`${where}: closeDuringConnect ${JSON.stringify(duringConnect)} together with connectServes "queue-head", which poolcheck does not model yet (that value speaks of the acquire a connect is for, and a connect that serves the queue is for none); declare "lands-idle" where close keeps what lands idle, or leave closeDuringConnect out`);
  const terminateConnect = caps['terminateDuringConnect'];
  if (terminateConnect !== undefined && terminateConnect !== 'lands-idle') throw new DefinitionError(`${where}: terminateDuringConnect ${JSON.stringify(terminateConnect)} together with connectServes "queue-head": that value speaks of the acquire a connect is for, and a connect that serves the queue is for none; declare "lands-idle" where terminate waits for it to land and closes it, or leave terminateDuringConnect out`);
}

const TIMEOUT_FIELDS: readonly string[] = ['acquireTimeout', 'acquireTimeoutCovers', 'lateConnect', 'lateCheck', 'acquireTimeoutCheck'];

function validateTimeoutRules(where: string, caps: Record<string, unknown>): void {
  const covers = caps['acquireTimeoutCovers'];
  const late = caps['lateConnect'];
  if (covers !== undefined && covers !== 'wait' && covers !== 'wait-and-connect') throw new DefinitionError(`${where}.acquireTimeoutCovers = ${JSON.stringify(covers)}; it must be "wait", "wait-and-connect", or left out (wait)`);
  if (late !== undefined && late !== 'closed' && late !== 'kept' && late !== 'own-timeout') throw new DefinitionError(`${where}.lateConnect = ${JSON.stringify(late)}; it must be "closed", "kept", "own-timeout", or left out (kept)`);
  if ((covers !== undefined || late !== undefined) && caps['acquireTimeout'] === null) throw new DefinitionError(`${where}: acquireTimeoutCovers and lateConnect describe an acquire timeout; declare acquireTimeout too, or leave them out`);
  if (late !== undefined && covers !== 'wait-and-connect') throw new DefinitionError(`${where}.lateConnect applies only when the timeout covers the connect; declare acquireTimeoutCovers: "wait-and-connect", or leave lateConnect out`);
  validateTimeoutCheck(where, caps);
}

function validateTimeoutCheck(where: string, caps: Record<string, unknown>): void {
  const check = caps['acquireTimeoutCheck'];
  if (check === undefined || check === 'timer') return;
  const every = typeof check === 'object' && check !== null ? (check as Record<string, unknown>)['everyMs'] : undefined;
  if (typeof check !== 'object' || check === null || (check as Record<string, unknown>)['kind'] !== 'poll' || typeof every !== 'number' || !Number.isInteger(every) || every < 1) {
    throw new DefinitionError(`${where}.acquireTimeoutCheck = ${JSON.stringify(check)}; it must be "timer", { kind: "poll", everyMs: <a whole number of ms >= 1> }, or left out (timer)`);
  }
  if (caps['acquireTimeout'] === null || caps['acquireTimeout'] === undefined) throw new DefinitionError(`${where}: acquireTimeoutCheck describes an acquire timeout; declare acquireTimeout too, or leave it out`);
}

function validateReaper(name: string, reaper: Record<string, unknown>): void {
  const where = `poolcheck: adapter '${name}' declares semantics.expiry`;
  const interval = reaper['intervalMs'];
  if (typeof interval !== 'number' || !Number.isInteger(interval) || interval < 1) {
    throw new DefinitionError(`${where}.intervalMs = ${JSON.stringify(interval)}; a reaper's interval must be a whole number of ms >= 1 (a pool whose reaper is off does not expire: declare a lifetime it never reaches, or check that it fails)`);
  }
  const startsOn = ['pool-creation', 'first-acquire', 'first-release', 'while-idle'];
  if (!startsOn.includes(reaper['startsOn'] as string)) throw new DefinitionError(`${where}.startsOn = ${JSON.stringify(reaper['startsOn'])}; it must be one of ${startsOn.map((c) => JSON.stringify(c)).join(', ')}`);
  if (reaper['compare'] !== '>' && reaper['compare'] !== '>=') throw new DefinitionError(`${where}.compare = ${JSON.stringify(reaper['compare'])}; it must be ">" or ">="`);
  const cap = reaper['maxPerRun'];
  if (cap !== null && (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1)) {
    throw new DefinitionError(`${where}.maxPerRun = ${JSON.stringify(cap)}; it must be null (no limit) or a whole number >= 1`);
  }
  const stops = reaper['stopsWhenEmpty'];
  if (stops !== undefined && typeof stops !== 'boolean') throw new DefinitionError(`${where}.stopsWhenEmpty = ${JSON.stringify(stops)}; it must be true or false, or left out (false: the reaper never stops)`);
  if (stops === true && reaper['startsOn'] !== 'first-acquire') throw new DefinitionError(`${where}.stopsWhenEmpty needs startsOn "first-acquire": a stopped reaper starts again as it first did, and only an acquire served is modelled as doing that`);
}

function wholeAtLeast(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) throw new DefinitionError(`poolcheck: ${name} must be a whole number >= ${min}, got ${String(value)}`);
}
