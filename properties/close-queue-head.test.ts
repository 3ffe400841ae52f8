import genericPool from 'generic-pool';
import * as sequelizePool from 'sequelize-pool';
import * as tarn from 'tarn';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as closeSkipsPendingCreates } from '../fixtures/mutants/close-skips-pending-creates.js';
import { genericPoolAdapter, genericPoolSemantics } from '../src/adapters/generic-pool.js';
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
 * A close with connects in flight, for pools whose connects serve the queue head
 * (closeDuringConnect: 'lands-idle'): close lets each land, keeps its connection idle for no
 * waiter, and closes it with the idle ones; tarn's destroy() rejects its waiters after that.
 */

const config = { minSize: 0, maxSize: 2, lifetimeMs: 1000, acquireTimeoutMs: 500 };
const line = (s: { at: number; command: string; predicted: string }): string => `${s.at} ${s.command}: ${s.predicted}`;

describe('close while a connect that serves the queue is in flight', () => {
  it('tarn waits for the create, keeps it free, then rejects the waiter and closes the connection', async () => {
    const adapter = tarnAdapter({ Pool: tarn.Pool }) as PoolAdapter;
    expect(adapter.semantics.capabilities?.closeDuringConnect).toBe('lands-idle');
    const run = await runOnce(adapter, config, commandsFromJson([{ op: 'slowNextConnect', ms: 100 }, { op: 'acquire' }, { op: 'close' }]), createPgMemConnector, true, true);
    expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
    expect(run.trace.slice(3).map(line)).toEqual([
      '0 close(): closing: waits for 1 connect(s) in flight; idle=0 size=1 waiting=1',
      '100 close(): sleep(100) until a connect in flight lands: #1 rejected (closed); idle=0 size=0 waiting=0',
      '100 close(): resolves: idle=0 size=0 waiting=0',
    ]);
  });

  for (const [name, adapter, closes] of [
    ['generic-pool', genericPoolAdapter({ genericPool }), "clear() waits for a create whose acquire timed out, then closes its connection"],
    ['sequelize-pool', sequelizePoolAdapter({ Pool: sequelizePool.Pool }), "drain() waits for a create whose acquire timed out, then destroyAllNow() closes its connection"],
  ] as const) {
    it(`${name}'s ${closes}`, async () => {
      const run = await runOnce(adapter as PoolAdapter, config, commandsFromJson([{ op: 'slowNextConnect', ms: 1000 }, { op: 'acquire' }, { op: 'sleep', ms: 500 }, { op: 'close' }]), createPgMemConnector, true, true);
      expect(run.violation, JSON.stringify(run.trace, null, 1)).toBeNull();
      expect(run.trace.slice(4).map(line)).toEqual([
        '500 close(): closing: waits for 1 connect(s) in flight; idle=0 size=1 waiting=0',
        '1000 close(): sleep(500) until a connect in flight lands: idle=0 size=0 waiting=0',
        '1000 close(): resolves: idle=0 size=0 waiting=0',
      ]);
    });
  }

  it('close-skips-pending-creates.ts (a tarn that closes without them) is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // 500 runs: tarn draws breaks it does not hear of too, and seed 3 first closes with a create
      // in flight at run 407.
      const result = await check({ adapter: closeSkipsPendingCreates as PoolAdapter, seed, numRuns: 500 });
      const report = formatResult(result);
      expect(result.failure?.violation.kind, report).toBe('close-incomplete');
      expect(result.failure?.violation.message, report).toMatch(/^close\(\) resolved while 1 connect\(s\) were still in flight; the declared close lets them land and closes their connections with the idle ones$/);
      expect(result.failure?.length ?? Infinity, report).toBeLessThanOrEqual(3);
    }
  });
});

describe('closeDuringConnect declared wrongly', () => {
  const declaring = (semantics: Semantics) => (): void => validateCheckOptions({ adapter: tarnAdapter({ Pool: tarn.Pool, semantics }) as PoolAdapter });
  const withCaps = (s: Semantics, caps: Partial<NonNullable<Semantics['capabilities']>>): Semantics => ({ ...s, capabilities: { ...s.capabilities!, ...caps } });
  it('an acquire\'s value for connects that serve the queue, or lands-idle for connects that serve their acquire, is a definition error naming the fix', () => {
    expect(declaring(withCaps(tarnSemantics(1000), { closeDuringConnect: 'serves' }))).toThrow(/closeDuringConnect "serves" together with connectServes "queue-head".*declare "lands-idle"/);
    const ownAcquire = withCaps(genericPoolSemantics(), { connectServes: 'its-acquire' });
    expect(declaring(ownAcquire)).toThrow(/closeDuringConnect "lands-idle" needs connectServes: "queue-head"/);
  });
});
