import { expect } from 'vitest';
import type { ViolationKind } from '../../src/model/violation.js';
import { formatResult } from '../../src/report/text.js';
import type { CheckFailure, CheckResult } from '../../src/runner/check.js';

/**
 * Asserts that a check failed with this kind of violation, and a message that explains it; a
 * surprise shows the whole counterexample. `alternatives`: other kinds, each with the message
 * that explains it, for a wrong claim that shows in more than one way depending on what the run
 * drew first.
 */
export function expectCaught(result: CheckResult, kind: ViolationKind, message?: RegExp, ...alternatives: readonly (readonly [ViolationKind, RegExp])[]): CheckFailure {
  const report = formatResult(result);
  expect(result.passed, report).toBe(false);
  const other = alternatives.find(([k]) => k === result.failure?.violation.kind);
  const [wantKind, wantMessage] = other ?? [kind, message];
  expect(result.failure?.violation.kind, report).toBe(other === undefined ? kind : wantKind);
  if (wantMessage !== undefined) expect(result.failure?.violation.message, report).toMatch(wantMessage);
  if (result.failure === null) throw new Error(`poolcheck: a failed check without a failure record\n${report}`);
  return result.failure;
}

/**
 * Asserts that a check failed with one of `kinds`, whatever the message: for a broken pool whose
 * bug shows in several ways depending on what the run drew first. A surprise shows the whole
 * counterexample.
 */
export function expectCaughtAmong(result: CheckResult, kinds: readonly ViolationKind[]): CheckFailure {
  const report = formatResult(result);
  expect(result.passed, report).toBe(false);
  expect(kinds, report).toContain(result.failure?.violation.kind);
  if (result.failure === null) throw new Error(`poolcheck: a failed check without a failure record\n${report}`);
  return result.failure;
}
