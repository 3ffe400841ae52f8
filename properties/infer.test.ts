import genericPool from 'generic-pool';
import { Pool as SequelizePool } from 'sequelize-pool';
import { Pool as TarnPool } from 'tarn';
import { afterEach, describe, expect, it } from 'vitest';
import { genericPoolAdapter } from '../src/adapters/generic-pool.js';
import { BUILT_IN_ADAPTERS } from '../src/adapters/registry.js';
import { sequelizePoolAdapter } from '../src/adapters/sequelize-pool.js';
import { tarnAdapter } from '../src/adapters/tarn.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { differences, normalizeSemantics } from '../src/infer/compare.js';
import { infer } from '../src/infer/infer.js';

afterEach(() => uninstallAllClocks());

/*
 * Every built-in adapter, its declaration removed: the probes alone (no confirming check, which
 * the last test covers) must find the hand-written declaration, field for field, capabilities
 * included. Each takes well under a second.
 */
describe('infer on the built-in adapters, their declarations removed', () => {
  for (const [name, make] of Object.entries(BUILT_IN_ADAPTERS)) {
    it(`finds ${name}'s declaration`, async () => {
      const adapter = await make();
      const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: false });
      expect(result.contradictions).toEqual([]);
      expect(result.declared).toBeNull();
      expect(differences(adapter.semantics, result.semantics)).toEqual([]);
      // Every field and capability comes with its evidence.
      // (lateConnect only where the timeout covers the connect, minRefill where a probe sees a refill.)
      expect(result.findings.map((f) => f.field)).toEqual(
        expect.arrayContaining(['expiry', 'armsOn', 'min', 'reuse', 'handoff', 'zeroLifetime', 'opensMinOnCreate', 'gracefulClose', 'validation', ...['waiters', 'acquireTimeout', 'acquireTimeoutCovers', 'destroy', 'failedConnect', 'slowConnect', 'brokenIdle', 'closeRejectsWaiters', 'terminateRejectsWaiters', 'closeDuringConnect', 'abort', 'failedValidation', 'slowQuery'].map((c) => `capabilities.${c}`)]),
      );
      for (const f of result.findings) expect(f.evidence.length).toBeGreaterThan(10);
      // An abortable pool without slow connects never has a connection land for an aborted
      // acquire, nor one whose connects serve the queue (the aborted acquire only leaves it): infer
      // says both values of lateConnection fit rather than pick one.
      const abort = result.findings.find((f) => f.field === 'capabilities.abort')!;
      const caps = adapter.semantics.capabilities;
      if (caps?.abort != null && (caps.slowConnect !== true || caps.connectServes === 'queue-head')) {
        const other = caps.abort.lateConnection === 'idle' ? 'closed' : 'idle';
        expect(abort.alsoFits).toEqual([{ lateConnection: other }]);
      } else {
        expect(abort.alsoFits).toBeUndefined();
      }
    });
  }

  // The own pool's variants differ only in validation (what it checks, and how) and in what an
  // aborted connect leaves:
  // infer must tell each from the others.
  it('tells the own pool\'s validating and abort-closing variants apart', async () => {
    const variants = [ownPoolAdapter(), ownPoolAdapter({ validation: 'sync' }), ownPoolAdapter({ validation: 'async' }), ownPoolAdapter({ closeAbortedConnects: true }), ownPoolAdapter({ validation: 'async', closeAbortedConnects: true }), ownPoolAdapter({ validation: 'sync', validateHandoffs: true }), ownPoolAdapter({ validation: 'async', validateHandoffs: true })];
    const found = [];
    for (const adapter of variants) {
      const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: false });
      expect(result.contradictions, adapter.name).toEqual([]);
      expect(differences(adapter.semantics, result.semantics), adapter.name).toEqual([]);
      expect(result.findings.filter((f) => /validation|abort|slowQuery/i.test(f.field) && f.alsoFits !== undefined), adapter.name).toEqual([]);
      found.push(JSON.stringify(normalizeSemantics(result.semantics)));
    }
    expect(new Set(found).size).toBe(variants.length);
  });

  it('prints a declaration the check accepts for every built-in adapter (20 runs each)', async () => {
    for (const make of Object.values(BUILT_IN_ADAPTERS)) {
      const adapter = await make();
      const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: { numRuns: 20 } });
      expect(result.confirmation, adapter.name).toMatchObject({ passed: true, violation: null });
    }
  });

  it('confirms what it found with a full check (seed 1 by default), and audits a declared adapter', async () => {
    // 50 runs keep the suite fast; the CLI session in docs/infer.md runs the default 200.
    const result = await infer({ adapter: await BUILT_IN_ADAPTERS['tarn']!(), confirm: { numRuns: 50 } });
    expect(result.confirmation).toMatchObject({ passed: true, runs: 50, seed: 1, violation: null });
    expect(result.declared).not.toBeNull();
    expect(differences(result.declared!, result.semantics)).toEqual([]);
  });

  it('measures the reaper as the adapter configured it, and names the contradiction when it never runs', async () => {
    for (const adapter of [tarnAdapter({ Pool: TarnPool, reapIntervalMillis: 3000 }), genericPoolAdapter({ genericPool, evictionRunIntervalMillis: 250, numTestsPerEvictionRun: 5 }), sequelizePoolAdapter({ Pool: SequelizePool, reapIntervalMillis: 250 })]) {
      const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: false });
      expect(differences(adapter.semantics, result.semantics), adapter.name).toEqual([]);
    }
    // generic-pool's own default, eviction off: idle connections never close.
    const off = await infer({ adapter: genericPoolAdapter({ genericPool, evictionRunIntervalMillis: 0 }), confirm: false });
    expect(off.contradictions[0]).toMatchObject({ field: 'expiry', probe: 'expiry' });
    expect(off.contradictions[0]!.observation).toMatch(/was still open at/);
    expect(off.confirmation).toBeNull();
  });

  it("finds tarn's propagateCreateError: a failed create rejects the head and is still retried", async () => {
    for (const adapter of [tarnAdapter({ Pool: TarnPool, options: { propagateCreateError: true } }), tarnAdapter({ Pool: TarnPool })]) {
      const result = await infer({ adapter: { ...adapter, semantics: undefined }, confirm: false });
      expect(result.contradictions, adapter.name).toEqual([]);
      expect(differences(adapter.semantics, result.semantics), adapter.name).toEqual([]);
    }
  });

  it('says which findings depend on the configuration create was given', async () => {
    const result = await infer({ adapter: await BUILT_IN_ADAPTERS['generic-pool']!(), confirm: false });
    const expiry = result.findings.find((f) => f.field === 'expiry')!;
    expect(expiry.dependsOnConfig).toContain('1000 ms');
    expect(expiry.evidence).toMatch(/closes come in runs at .* 1000 ms apart/);
  });
});
