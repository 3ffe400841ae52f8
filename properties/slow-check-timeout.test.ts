import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

describe('a deadline over the wait, the connect and a slow check', () => {
  it.each(PASS_SEEDS)('kept, seed %i', async (seed) => {
    const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true });
    const result = await check({ adapter, seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });
  it.each(PASS_SEEDS)('closed, seed %i', async (seed) => {
    const adapter = ownPoolAdapter({ validation: 'async', acquireTimeoutCoversConnect: true, closeTimedOutChecks: true });
    const result = await check({ adapter, seed });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
