import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { fits } from '../src/infer/oracle.js';
import type { CommandJson } from '../src/commands/json.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * A blocked loop while an async check is in flight together with other timers of the model. As
 * the loop wakes, the overdue timers fire in due order; a check that fails is answered as its
 * timer fires, one that passes by the reply its timer queued, after every overdue timer, in
 * either wake phase.
 */
describe('a blocked loop during an async validation, with other timers due', () => {
  for (const phase of ['timers', 'io'] as const) {
    it(`a waiter times out before a passing check, due earlier, hands it the connection (wake: ${phase})`, async () => {
      const adapter = ownPoolAdapter({ validation: 'async' });
      // #2's check is due at 3 ms and #2 is aborted; #3 waits with its timeout at 5 ms. In due
      // order #3 would get #1 at 3 ms; the reply comes after #3's timeout has fired.
      const commands: CommandJson[] = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'slowNextQuery', ms: 3 }, { op: 'acquire' }, { op: 'acquire' }, { op: 'abort', acquire: 2 }, { op: 'blockingSleep', ms: 10, acquireOnWake: false, phase }];
      const config = { minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: 5 };
      expect(await fits(adapter, adapter.semantics, config, commands)).toEqual({ ok: true });
      // Had #3 been served, a second acquire would have to wait; it gets #1 from idle.
      expect(await fits(adapter, adapter.semantics, config, [...commands, { op: 'acquire' }])).toEqual({ ok: true });
    });
  }

  const variants = { 'async check': { validation: 'async' }, 'async check of hand-offs too': { validation: 'async', validateHandoffs: true }, 'async check, aborted connects closed': { validation: 'async', closeAbortedConnects: true } } as const;
  for (const [name, options] of Object.entries(variants)) {
    for (const seed of PASS_SEEDS) {
      it(`the own pool with an ${name} passes on seed ${seed}, blocks drawn during checks`, async () => {
        const result = await check({ adapter: ownPoolAdapter(options), seed });
        expect(result.passed, formatResult(result)).toBe(true);
      });
    }
  }
});
