import * as tarn from 'tarn';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter as cutCheckLeaks } from '../fixtures/mutants/cut-check-leaks.js';
import { tarnAdapter } from '../src/adapters/tarn.js';
import type { PoolAdapter } from '../src/adapters/types.js';
import { uninstallAllClocks } from '../src/clock/fake.js';
import type { Semantics } from '../src/model/semantics.js';
import { check } from '../src/runner/check.js';
import { expectCaught } from './support/caught.js';

afterEach(() => uninstallAllClocks());

/*
 * A slow check tied to the head acquire as it starts, in a pool whose connects serve the queue
 * head: tarn with its validation on, whose `validate` awaits the connection's query. The acquire
 * leaves the queue while its check is in flight; a check that fails puts it back at the head; a
 * deadline or an abort during the check closes the connection; and the pool looks at its queue
 * again from a zero-delay timer.
 */

const declared = tarnAdapter({ Pool: tarn.Pool, validation: true }).semantics;
const SEEDS = [1, 2, 3, 4, 5];
// The longest counterexample the broken pools shrink to on these seeds.
const SHORT = 6;

describe('tarn with its validation on, its check slowed by the query', () => {
  it('declares slow queries, and a check closed at its acquire\'s deadline or abort', () => {
    expect(declared.capabilities).toMatchObject({ slowQuery: true, lateCheck: 'closed', abort: { lateConnection: 'idle', lateCheck: 'closed' } });
  });

  // It passes with slow checks drawn on the pass seeds in `validation-opened.test.ts`, and on seeds
  // 1-5 and in fuzz campaigns (`poolcheck fuzz --runs 3000 --workers 1`).
});

describe('a tarn that forgets a connection whose check was cut short', () => {
  it('is caught on seeds 1-5, shrunk short', async () => {
    for (const seed of SEEDS) {
      const failure = expectCaught(await check({ adapter: cutCheckLeaks as PoolAdapter, seed }), 'abandoned-kept', /^connection #\d+ was under check for an acquire (aborted at \d+ ms|whose deadline came at \d+ ms), and was still open at \d+ ms; the declared (abort\.)?lateCheck closes it/);
      expect(failure.length).toBeLessThanOrEqual(SHORT);
    }
  });
});

describe('tarn with its slow check declared wrongly', () => {
  const wrong = (capabilities: Partial<NonNullable<Semantics['capabilities']>>): PoolAdapter => tarnAdapter({ Pool: tarn.Pool, validation: true, semantics: { ...declared, capabilities: { ...declared.capabilities, ...capabilities } } }) as PoolAdapter;
  it('with an abort that keeps the check going, it fails: the pool closed the connection at the abort', async () => {
    const result = await check({ adapter: wrong({ abort: { lateConnection: 'idle' } }), seed: 1 });
    expectCaught(result, 'destroyed-unexpectedly', /^connection #\d+ was destroyed at \d+ ms, but it was being validated for an acquire/);
  });
  it('with a deadline that keeps the check going, it fails: the pool closed the connection at the deadline', async () => {
    const result = await check({ adapter: wrong({ lateCheck: 'kept' }), seed: 1 });
    expectCaught(result, 'destroyed-unexpectedly', /^connection #\d+ was destroyed at \d+ ms, but /);
  });
});
