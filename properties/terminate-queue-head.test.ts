import genericPool from 'generic-pool';
import * as sequelizePool from 'sequelize-pool';
import * as tarn from 'tarn';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as terminateSkipsPendingCreates } from '../fixtures/mutants/terminate-skips-pending-creates.js';
import { genericPoolAdapter, genericPoolSemantics } from '../src/adapters/generic-pool.js';
import { ownPoolSemantics } from '../src/adapters/own.js';
import { sequelizePoolAdapter } from '../src/adapters/sequelize-pool.js';
import { tarnAdapter, tarnSemantics } from '../src/adapters/tarn.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { createPgMemConnector } from '../src/connectors/pgmem.js';
import type { Semantics } from '../src/model/semantics.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { runOnce } from '../src/runner/run-once.js';
import { validateCheckOptions } from '../src/runner/validate.js';
import { commandsFromJson } from './support/commands.js';

afterEach(() => uninstallAllClocks());

/*
 * A terminate with connects in flight, for pools whose connects serve the queue head
 * (terminateDuringConnect: 'lands-idle'): terminate lets each land, closes its connection as it
 * lands, and resolves only then; tarn's destroy() rejects its waiters after the last landing.
 */

const config = { minSize: 0, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 500 };
const line = (s: { at: number; command: string; predicted: string }): string => `${s.at} ${s.command}: ${s.predicted}`;

describe('terminate while a connect that serves the queue is in flight', () => {
  it('tarn waits for the create, then rejects the waiter and closes the connection as it lands', async () => {
    const adapter = tarnAdapter({ Pool: tarn.Pool }) as PoolAdapter;
    expect(adapter.semantics.capabilities?.terminateDuringConnect).toBe('lands-idle');
    const run = await runOnce(adapter, config, commandsFromJson([{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'terminate' }]), createPgMemConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.slice(3).map(line)).toEqual([
      '0 terminate(): closing: waits for 1 connect(s) in flight, then rejects 1 waiter(s); idle=0 size=1 waiting=1',
      '100 terminate(): sleep(100) until a connect in flight lands: #1 rejected (closed); idle=0 size=0 waiting=0',
      '100 terminate(): resolves: idle=0 size=0 waiting=0',
    ]);
  });

  for (const [name, adapter] of [
    ['generic-pool', genericPoolAdapter({ genericPool })],
    ['sequelize-pool', sequelizePoolAdapter({ Pool: sequelizePool.Pool })],
  ] as const) {
    it(`${name} waits for a create whose acquire timed out, then closes its connection as it lands`, async () => {
      expect(adapter.semantics.capabilities?.terminateDuringConnect).toBe('lands-idle');
      const run = await runOnce(adapter as PoolAdapter, config, commandsFromJson([{ op: 'slowNextConnect', ms: 1000 }, { op: 'acquire' }, { op: 'sleep', ms: 500 }, { op: 'terminate' }]), createPgMemConnector, true, true);
      expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
      expect(run.trace.slice(4).map(line)).toEqual([
        '500 terminate(): closing: waits for 1 connect(s) in flight; idle=0 size=1 waiting=0',
        '1000 terminate(): sleep(500) until a connect in flight lands: idle=0 size=0 waiting=0',
        '1000 terminate(): resolves: idle=0 size=0 waiting=0',
      ]);
    });
  }

  it('terminate-skips-pending-creates.ts (a tarn that terminates without them) is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = await check({ adapter: terminateSkipsPendingCreates as PoolAdapter, seed });
      const report = formatResult(result);
      expect(result.failure?.violation.kind, report).toBe('close-incomplete');
      expect(result.failure?.violation.message, report).toMatch(/^terminate\(\) resolved while 1 connect\(s\) were still in flight; the declared terminate lets them land and closes their connections as they land$/);
      expect(result.failure?.length ?? Infinity, report).toBeLessThanOrEqual(3);
    }
  });
});

describe('terminateDuringConnect declared wrongly', () => {
  const declaring = (semantics: Semantics) => (): void => validateCheckOptions({ adapter: tarnAdapter({ Pool: tarn.Pool, semantics }) as PoolAdapter });
  const withCaps = (s: Semantics, caps: Partial<NonNullable<Semantics['capabilities']>>): Semantics => ({ ...s, capabilities: { ...s.capabilities!, ...caps } });
  it("an acquire's value for connects that serve the queue, or lands-idle for connects that serve their acquire, is a definition error naming the fix", () => {
    expect(declaring(withCaps(tarnSemantics(1000), { terminateDuringConnect: 'rejects' }))).toThrow(/terminateDuringConnect "rejects" together with connectServes "queue-head".*declare "lands-idle"/);
    expect(declaring(withCaps(tarnSemantics(1000), { terminateDuringConnect: 'rejects-on-landing' }))).toThrow(/terminateDuringConnect "rejects-on-landing" together with connectServes "queue-head"/);
    const { closeDuringConnect: _close, ...generic } = genericPoolSemantics().capabilities!;
    expect(declaring({ ...genericPoolSemantics(), capabilities: { ...generic, connectServes: 'its-acquire' } })).toThrow(/terminateDuringConnect "lands-idle" needs connectServes: "queue-head".*declare "rejects" or "rejects-on-landing"/);
    expect(declaring(withCaps(ownPoolSemantics(), { terminateDuringConnect: 'lands-idle' }))).toThrow(/terminateDuringConnect "lands-idle" needs connectServes: "queue-head"/);
  });
});

describe('a queue-head pool whose terminate serves its waiters, declared to reject them', () => {
  it('generic-pool claimed to reject waiters on terminate fails with the reason', async () => {
    const semantics = { ...genericPoolSemantics(), capabilities: { ...genericPoolSemantics().capabilities!, terminateRejectsWaiters: true } };
    const adapter = genericPoolAdapter({ genericPool, semantics }) as PoolAdapter;
    const run = await runOnce(adapter, config, commandsFromJson([{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'terminate' }]), createPgMemConnector, true, true);
    expect(run.violation?.message, JSON.stringify(run.trace, null, 1)).toMatch(/acquire #1 should have been rejected \(closed\)/);
  });
});
