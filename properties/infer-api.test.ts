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

  it('names a behaviour the vocabulary lacks as a contradiction, with the probe to look at', async () => {
    // A pool that takes a lifetime of 0 as "due at once" (as sequelize-pool does): neither refused
    // nor disabling expiry, which no zeroLifetime value says yet.
    const own = ownPoolAdapter();
    const dueAtOnce = { ...own, name: 'zero is due at once', create: (context: Parameters<typeof own.create>[0]) => own.create({ ...context, config: { ...context.config, lifetimeMs: context.config.lifetimeMs || 1 } }) };
    const result = await infer({ adapter: { ...dueAtOnce, semantics: undefined }, confirm: false });
    expect(result.contradictions).toHaveLength(1);
    expect(result.contradictions[0]).toMatchObject({ field: 'zeroLifetime', probe: 'zero-lifetime' });
    expect(result.contradictions[0]!.observation).toContain("'disables' ruled out: connection #1 was destroyed at 1 ms, but a lifetime of 0 disables expiry");
    // Every other field is still found.
    expect(result.findings.map((f) => f.field)).not.toContain('zeroLifetime');
    expect(result.semantics.expiry).toEqual({ kind: 'timer' });
  });
});
