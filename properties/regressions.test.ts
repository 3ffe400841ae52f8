import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { listCaseFiles } from '../src/corpus/store.js';
import { verifyCaseFile } from '../src/corpus/suite.js';

afterEach(() => uninstallAllClocks());

// Every case `poolcheck fuzz` saved, replayed against its expectation: a bug found once stays
// found. A new failure is saved as "must pass", so its test stays red until the pool is fixed or
// the case is marked as evidence of a known bug.
const root = fileURLToPath(new URL('../fixtures/regressions', import.meta.url));
const files = await listCaseFiles(root);

describe('the regression corpus (fixtures/regressions)', () => {
  it('holds cases to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s', async (_name, file) => {
    const verdict = await verifyCaseFile(file);
    expect(verdict.holds, verdict.explanation).toBe(true);
  });
});
