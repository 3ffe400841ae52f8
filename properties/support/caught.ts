import { expect } from 'vitest';
import type { ViolationKind } from '../../src/model/violation.js';
import { formatResult } from '../../src/report/text.js';
import type { CheckFailure, CheckResult } from '../../src/runner/check.js';

/**
 * Asserts that a check failed with this kind of violation, and a message that explains it; a
 * surprise shows the whole counterexample.
 */
export function expectCaught(result: CheckResult, kind: ViolationKind, message?: RegExp): CheckFailure {
  const report = formatResult(result);
  expect(result.passed, report).toBe(false);
  expect(result.failure?.violation.kind, report).toBe(kind);
  if (message !== undefined) expect(result.failure?.violation.message, report).toMatch(message);
  if (result.failure === null) throw new Error(`poolcheck: a failed check without a failure record\n${report}`);
  return result.failure;
}
