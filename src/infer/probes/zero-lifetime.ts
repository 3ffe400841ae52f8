import type { PoolAdapter } from '../../adapters/types.js';
import type { Semantics } from '../../model/semantics.js';
import { chooseByOracle, type Candidate } from '../choose.js';
import { ProbeSession } from '../session.js';
import type { Probe } from '../types.js';

const config = { minSize: 0, maxSize: 1, lifetimeMs: 0 };
const HORIZON_MS = 600_000;

/**
 * What a lifetime of 0 means. A pool (or its adapter) that refuses it in `create` is
 * `create-fails`. Otherwise the oracle tells `disables` (kept for good) from `due-at-once`, and
 * from a default lifetime, measured: one lifetime after the release for a timer; for a reaper,
 * the release offset at which the close moves to the next run pins the instant it became due.
 */
export const zeroLifetimeProbe: Probe = {
  name: 'zero-lifetime',
  fields: ['zeroLifetime'],
  needs: ['expiry'],
  async run(context) {
    // Created with a min of 1, so a refusal that comes only after opening the min shows as a leak.
    const made = await ProbeSession.with(context.adapter, { ...config, minSize: 1 }, async () => null);
    if (!made.created) {
      if (made.leftOpen.length > 0 || made.timersLeft > 0) {
        const left = [made.leftOpen.length > 0 ? `connection(s) ${made.leftOpen.map((id) => `#${id}`).join(', ')} open` : '', made.timersLeft > 0 ? `${made.timersLeft} timer(s) pending` : ''].filter(Boolean).join(' and ');
        return { kind: 'contradiction', contradiction: { field: 'zeroLifetime', probe: this.name, observation: `create with lifetime 0 failed (${made.error}) but left ${left}: a refused create must leave nothing behind` } };
      }
      return { kind: 'found', findings: [{ field: 'zeroLifetime', value: 'create-fails', evidence: `create with lifetime 0 failed: ${made.error}` }], patch: { zeroLifetime: 'create-fails' } };
    }
    const candidates: Candidate<Semantics['zeroLifetime']>[] = [
      { value: 'disables', patch: { zeroLifetime: 'disables' } },
      { value: 'due-at-once', patch: { zeroLifetime: 'due-at-once' } },
    ];
    const ms = await measureDefault(context.adapter, context.known.expiry);
    if (ms !== null && ms > 0) candidates.push({ value: { kind: 'default', ms }, patch: { zeroLifetime: { kind: 'default', ms } } });
    return chooseByOracle(context, { name: this.name, field: 'zeroLifetime' }, { config, commands: [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: HORIZON_MS }] }, candidates);
  },
};

/** When a connection released at `releaseAt` with a lifetime of 0 closed, or null. */
async function closeTime(adapter: PoolAdapter, releaseAt: number): Promise<number | null> {
  const made = await ProbeSession.with(adapter, config, async (s) => {
    const id = await s.acquire();
    await s.sleepUntil(releaseAt);
    await s.release(id);
    await s.sleepUntilDone(() => s.destroyedAt(id) !== null, 10_000, HORIZON_MS);
    return s.destroyedAt(id);
  });
  return made.created ? made.value : null;
}

/** The lifetime the pool uses for 0, in ms, or null when it cannot be pinned down. */
async function measureDefault(adapter: PoolAdapter, expiry: Semantics['expiry']): Promise<number | null> {
  const base = 1_000;
  const first = await closeTime(adapter, base);
  if (first === null) return null;
  if (expiry.kind === 'timer') return first - base;
  // The connection is due at base + δ + c (c: the lifetime, +1 for `>`) and closes on the first
  // run at or after it. The smallest δ that moves the close one run later makes it due just after
  // the first close: c = first + 1 - (base + δ).
  const interval = expiry.intervalMs;
  const moved = async (delta: number): Promise<boolean> => ((await closeTime(adapter, base + delta)) ?? first) > first;
  if (!(await moved(interval))) return null;
  let lo = 0;
  let hi = interval;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await moved(mid)) hi = mid;
    else lo = mid;
  }
  return first + 1 - (base + hi) - (expiry.compare === '>' ? 1 : 0);
}
