import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { DefinitionError, infer, ownPoolAdapter } from '../src/index.js';

afterEach(() => uninstallAllClocks());

describe('infer() from code', () => {
  it('refuses an adapter it cannot probe, with the reason and what to do instead', async () => {
    const remote = { ...ownPoolAdapter(), runtime: () => Promise.reject(new Error('never started')) };
    await expect(infer({ adapter: remote })).rejects.toThrow(DefinitionError);
    await expect(infer({ adapter: remote })).rejects.toThrow(/brings its own runtime .* declare its semantics by hand/);
    await expect(infer({ adapter: { ...ownPoolAdapter(), acquire: undefined } as never })).rejects.toThrow(/missing method\(s\) acquire/);
  });
});
