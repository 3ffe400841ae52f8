import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter, ownPoolSemantics, type OwnAdapterOptions } from '../src/adapters/own.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { expectCaught } from './support/caught.js';
import { PASS_SEEDS } from './support/seeds.js';

afterEach(() => uninstallAllClocks());

/*
 * A min refilled at each acquire (`minRefill: ['at-acquire']`) with a synchronous check: the
 * check answers inside `acquire()`, and one that fails closes its connection there, so the refill,
 * decided once the calls of the step have returned (the own pool's `queueRefill`), counts that
 * connection gone and opens one back.
 */
const variants: Record<string, OwnAdapterOptions> = {
  'no floor': { validation: 'sync', minRefill: ['at-acquire'] },
  'a floor on size': { validation: 'sync', minRefill: ['at-acquire'], expiryRespectsMinSize: true },
  'a floor on idle connections': { validation: 'sync', minRefill: ['at-acquire'], expiryRespectsMinSize: true, minFloorCounts: 'idle' },
  'hand-offs checked too': { validation: 'sync', validateHandoffs: true, minRefill: ['at-acquire'] },
};

describe('a refill at each acquire with a synchronous check', () => {
  for (const [name, options] of Object.entries(variants)) {
    it.each(PASS_SEEDS)(`the own pool with ${name}, declared so, passes with seed %i`, async (seed) => {
      const result = await check({ adapter: ownPoolAdapter(options), seed });
      expect(result.passed, formatResult(result)).toBe(true);
    });
  }

  it('a check that fails in the acquire leaves the pool below min: the refill opens one back', async () => {
    // Shrunk from seed 1: min 2, both idle; the acquire's check of one fails, it gets the other.
    const outcome = await replay(ownPoolAdapter(variants['no floor']!), { minSize: 2, maxSize: 2, lifetimeMs: 1 }, [{ op: 'failNextValidation' }, { op: 'acquire' }]);
    expect(outcome.violation?.message ?? null).toBeNull();
    const acquire = outcome.trace.find((step) => step.command === 'acquire()');
    expect(acquire?.actual).toEqual({ idle: 1, size: 2, waiting: 0 });
  });

  it('declared without the refill, the own pool fails: it opens what no acquire asked for', async () => {
    const options = variants['no floor']!;
    const adapter = ownPoolAdapter({ ...options, semantics: ownPoolSemantics({ ...options, minRefill: [] }) });
    expectCaught(await check({ adapter, seed: 1 }), 'unexpected-create', /^the pool opened connection #\d+ at \d+ ms, which no acquire asked for/);
  });
});
