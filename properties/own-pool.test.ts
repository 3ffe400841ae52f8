import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { check, runsFromEnv } from '../src/runner/check.js';
import { formatResult } from '../src/report/text.js';

afterEach(() => uninstallAllClocks());

describe('poolcheck own pool', () => {
  it(`asyncpg semantics hold over ${runsFromEnv()} runs`, async () => {
    const result = await check({ adapter: ownPoolAdapter() });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
