import { afterEach, describe, expect, it } from 'vitest';
import { adapter } from '../fixtures/pools/hanging-acquire.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';

afterEach(() => uninstallAllClocks());

describe('a pool that never settles', () => {
  it('is a property failure with its trace, not a hung test', async () => {
    const result = await check({ adapter, seed: 1, numRuns: 50 });
    const report = formatResult(result);
    expect(result.passed, report).toBe(false);
    expect(result.failure?.violation.kind, report).toBe('not-settled');
    expect(result.failure?.violation.message, report).toMatch(/^acquire\(\)( on wake)? did not settle: nothing is due at \d+ ms and the operation is still pending; the declared semantics answer it now: (#\d+|it should) .+$/);
    expect(result.failure?.length, report).toBe(2);
    expect(result.failure?.steps.at(-1)?.command, report).toMatch(/acquire\(\)$/);
    expect(report).toContain('Rerun: seed 1');
  });
});
