import { checkServesOf, discardRefillOf, noCapabilities, normalizeSemantics as resolveShorthands, terminateRejectsWaiters, validationOf, type FailedConnectRetry, type Semantics } from '../model/semantics.js';

/** A declaration with its defaults spelled out, so two that mean the same compare equal. */
export function normalizeSemantics(s: Semantics): Semantics {
  // A capability left out is off (abort: null), or at its default (burstConnects: in-call,
  // acquireTimeoutCheck: timer), so a partial list compares equal to the full one
  // it means. terminateRejectsWaiters left out means what closeRejectsWaiters says: spelled out
  // here. Shorthands (min, opensMinOnCreate) become the fields they stand for, as the model reads
  // them; validation left out, or in its long form, becomes the one value it means (the long form
  // stays only where it also checks more than idle connections, or serves the queue head). A retry after a delay may leave
  // perLook out (shortfall), and any retry rejectsHead (false), spelled out only where true.
  const failed = s.capabilities?.failedConnect;
  const failedConnect = typeof failed === 'object' ? { failedConnect: retryNormalized(failed) } : {};
  // `abort.lateCheck` left out is `'kept'`, spelled out only where it is the other value.
  const abort = s.capabilities?.abort;
  const abortedCheck = abort?.lateCheck === 'kept' ? { abort: { lateConnection: abort.lateConnection } } : {};
  const capabilities = { ...noCapabilities, abort: null, failedValidation: false, slowQuery: false, burstConnects: 'in-call' as const, acquireTimeoutCheck: 'timer' as const, connectServes: 'its-acquire' as const, connectsInFloor: true, queueConnects: 'shortfall' as const, ...lateCheckDefault(s), ...s.capabilities, ...failedConnect, ...abortedCheck };
  // A reaper that never stops may say so or leave it out.
  const expiry = s.expiry.kind === 'reaper' && s.expiry.stopsWhenEmpty === undefined ? { ...s.expiry, stopsWhenEmpty: false } : s.expiry;
  const full = resolveShorthands({ ...s, expiry, capabilities });
  const also = typeof s.validation === 'object' ? s.validation.alsoChecks ?? [] : [];
  // `serves` left out is `'its-acquire'`, spelled out only where it is the other value.
  const serves = checkServesOf(s) === 'queue-head' ? { serves: 'queue-head' as const } : {};
  const validation = also.length === 0 || validationOf(s) === 'none' ? validationOf(s) : { check: validationOf(s) as 'sync' | 'async', alsoChecks: [...also].sort(), ...serves };
  return { ...full, validation, gracefulClose: s.gracefulClose ?? 'idle-at-once', discardRefill: discardRefillOf(s), capabilities: { ...full.capabilities!, terminateRejectsWaiters: terminateRejectsWaiters({ ...s, capabilities }) } };
}

function retryNormalized(failed: FailedConnectRetry): FailedConnectRetry {
  const { rejectsHead, ...rest } = failed;
  const looks = rest.retry !== 'at-once' && rest.perLook === undefined ? { ...rest, perLook: 'shortfall' as const } : rest;
  return rejectsHead === true ? { ...looks, rejectsHead } : looks;
}

/** A field where two declarations differ. */
export interface Difference {
  readonly field: string;
  readonly declared: unknown;
  readonly inferred: unknown;
}

/** Field by field, capabilities included, the places where `inferred` differs from `declared`. */
export function differences(declared: Semantics, inferred: Semantics): Difference[] {
  const a = flatten(normalizeSemantics(declared));
  const b = flatten(normalizeSemantics(inferred));
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f])).map((field) => ({ field, declared: a[field], inferred: b[field] }));
}

function flatten(s: Semantics): Record<string, unknown> {
  const { capabilities, ...rest } = s;
  const out: Record<string, unknown> = { ...rest };
  for (const [k, v] of Object.entries(capabilities ?? {})) out[`capabilities.${k}`] = v;
  return out;
}

/**
 * `lateCheck` left out means `'kept'` where one acquire deadline covers an async check; elsewhere
 * it says nothing, and is left out.
 */
function lateCheckDefault(s: Semantics): { lateCheck?: 'kept' } {
  return s.capabilities?.acquireTimeoutCovers === 'wait-and-connect' && validationOf(s) === 'async' ? { lateCheck: 'kept' } : {};
}
