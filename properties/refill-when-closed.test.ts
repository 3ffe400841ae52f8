import * as sequelizePool from 'sequelize-pool';
import { afterEach, describe, expect, it } from 'vitest';
import { serverMutants } from '../fixtures/mutants/index.js';
import { ownRefillWhenClosedAdapters } from '../fixtures/pools/own-refill-when-closed.js';
import { ownPoolAdapter, ownPoolSemantics } from '../src/adapters/own.js';
import { sequelizePoolAdapter, sequelizePoolSemantics } from '../src/adapters/sequelize-pool.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { infer } from '../src/infer/infer.js';
import type { Semantics } from '../src/model/semantics.js';
import { Pool } from '../src/pool/index.js';
import { formatResult } from '../src/report/text.js';
import { check } from '../src/runner/check.js';
import { replay } from '../src/runner/replay.js';
import { validateCheckOptions } from '../src/runner/validate.js';
import { DefinitionError } from '../src/runner/violation-error.js';

afterEach(() => uninstallAllClocks());

/*
 * A refill after a discard decided once the discarded connection's close has completed
 * (`discardRefill: 'when-closed'`: sequelize-pool's `destroy()`, and the own pool's
 * `refillWhenClosed`). In process a close completes within microtasks, as a connect refused at
 * once fails: which comes first is the pool's own microtask depth, and either is right. A server
 * orders them (`properties/postgres/adapters/refill-when-closed.test.ts`).
 */

const SEEDS = [1, 2];
// A connection fails its check (or broke unheard) and is closed, and the create for the acquire
// is refused in the same call: shrunk from a failure on PostgreSQL.
const config = { minSize: 1, maxSize: 1, lifetimeMs: 1, acquireTimeoutMs: 1 };
const failedCheckThenRefused = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'failNextConnect' }, { op: 'failNextValidation' }, { op: 'acquire' }];
const created = (run: Awaited<ReturnType<typeof replay>>): number[] => (run.timeline?.events ?? []).filter((e) => e.type === 'create').map((e) => e.id);

describe('a refill after a discard decided when the close completes', () => {
  it.each(Object.entries(ownRefillWhenClosedAdapters))(`the own pool (%s) passes on seeds ${SEEDS.join(', ')}`, async (_name, adapter) => {
    for (const seed of SEEDS) {
      const result = await check({ adapter, seed });
      expect(result.passed, formatResult(result)).toBe(true);
    }
  });

  it('in process either order passes: the own pool sees the refusal first and refills, sequelize-pool closes first and does not', async () => {
    const own = ownPoolAdapter({ minRefill: ['after-discard'], refillWhenClosed: true, validation: 'sync' }) as PoolAdapter;
    const ownRun = await replay(own, config, failedCheckThenRefused);
    expect(ownRun.violation, ownRun.violation?.message).toBeNull();
    expect(created(ownRun)).toEqual([1, 2]);
    const seq = sequelizePoolAdapter({ Pool: sequelizePool.Pool, validation: true }) as PoolAdapter;
    // sequelize-pool opens nothing on create: #1 is the first acquire's.
    const seqRun = await replay(seq, config, failedCheckThenRefused);
    expect(seqRun.violation, seqRun.violation?.message).toBeNull();
    expect(created(seqRun)).toEqual([1]);
  });

  it('the own pool deciding once closed, declared as deciding at the discard, fails with the reason', async () => {
    const options = { minRefill: ['after-discard'] as const, refillWhenClosed: true, validation: 'sync' as const };
    const atDiscard: Semantics = { ...ownPoolSemantics(options), discardRefill: 'at-discard' };
    const run = await replay(ownPoolAdapter({ ...options, semantics: atDiscard }) as PoolAdapter, config, failedCheckThenRefused);
    expect(run.violation?.kind).toBe('unexpected-create');
    expect(run.violation?.message).toMatch(/the pool opened connection #2 at 0 ms, which no acquire asked for and nothing since the last one called for a refill/);
  });

  it('infer tells the two apart in process, by a close that takes 50 ms: sequelize-pool decides when closed, the broken own pool at the discard', async () => {
    const seq = await infer({ adapter: { ...sequelizePoolAdapter({ Pool: sequelizePool.Pool }), semantics: undefined } as never, confirm: false });
    expect(seq.findings.find((f) => f.field === 'discardRefill')).toMatchObject({ value: 'when-closed', evidence: expect.stringMatching(/discarded at 0 ms while its close took 50 ms: the refill opened at 50 ms, as the close completed/) as unknown });
    const mutant = serverMutants.find((m) => m.file === 'refill-before-close.ts')!;
    const broken = await infer({ adapter: { ...mutant.adapter, semantics: undefined }, confirm: false });
    expect(broken.findings.find((f) => f.field === 'discardRefill')).toMatchObject({ value: 'at-discard', evidence: expect.stringMatching(/the refill opened at 0 ms, at the discard/) as unknown });
  });

  it('a value other than the two is a definition error naming the fix, as is the own pool refilling when closed without a refill after a discard', () => {
    const declaring = (semantics: Semantics) => (): void => validateCheckOptions({ adapter: sequelizePoolAdapter({ Pool: sequelizePool.Pool, semantics }) as PoolAdapter });
    const declared = sequelizePoolSemantics();
    expect(declaring({ ...declared, discardRefill: 'later' as never })).toThrow(DefinitionError);
    expect(declaring({ ...declared, discardRefill: 'later' as never })).toThrow(/discardRefill = "later"; it must be "at-discard" .*"when-closed"/);
    // Without a refill after a discard it says nothing, as a narrowed declaration may leave it.
    expect(declaring({ ...declared, minRefill: [] })).not.toThrow();
    expect(() => new Pool({ connect: async () => Promise.reject(new Error('unused')), refillWhenClosed: true })).toThrow(/refillWhenClosed says when a refill after a discard is decided; add "after-discard" to minRefill/);
  });
});
