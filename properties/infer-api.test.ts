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

  it('measures the default a pool puts in place of a lifetime of 0', async () => {
    // A pool that takes a lifetime of 0 as 1 ms.
    const own = ownPoolAdapter();
    const oneMs = { ...own, name: 'zero is 1 ms', create: (context: Parameters<typeof own.create>[0]) => own.create({ ...context, config: { ...context.config, lifetimeMs: context.config.lifetimeMs || 1 } }) };
    const result = await infer({ adapter: { ...oneMs, semantics: undefined }, confirm: false });
    expect(result.contradictions).toEqual([]);
    expect(result.semantics.zeroLifetime).toEqual({ kind: 'default', ms: 1 });
    expect(result.findings.find((f) => f.field === 'zeroLifetime')?.evidence).toContain("'disables' ruled out: connection #1 was destroyed at 1 ms");
  });
});
