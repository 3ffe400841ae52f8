import type { PoolAdapter } from '../adapters/types.js';
import type { CommandJson } from '../commands/json.js';
import type { PoolConfig } from '../model/semantics.js';
import { ProbeSession } from './session.js';

/** The first acquire comes this long after the pool is created, and the first release this long after that. */
export const FIRST_ACQUIRE_AT = 101;
export const FIRST_RELEASE_AT = 304;
/**
 * Release offsets after the first release, at scale 1. Uneven gaps (7 ms to 300 ms), so that for
 * any reaper interval up to the whole spread two releases fall into different runs, whose close
 * times then differ by a multiple of the interval.
 */
const OFFSETS = [0, 7, 20, 61, 182, 400, 700, 990];

/** One spread probe: 8 connections released at uneven times, and when each one closed. */
export interface Spread {
  readonly config: PoolConfig;
  readonly releases: readonly { readonly id: number; readonly at: number; readonly closedAt: number | null }[];
  /** When the probe stopped looking. */
  readonly until: number;
  /** The same scenario as a command list, for the oracle. */
  readonly commands: readonly CommandJson[];
}

/**
 * Creates the pool (min 0, max 8, lifetime 1000 ms × `scale`) at 0, acquires 8 connections at
 * {@link FIRST_ACQUIRE_AT}, releases them from {@link FIRST_RELEASE_AT} at uneven offsets (× scale),
 * then lets the loop run until all are closed or a horizon of 60 lifetimes passes.
 */
export async function observeSpread(adapter: PoolAdapter, scale: number): Promise<Spread | { error: string }> {
  const lifetimeMs = 1_000 * scale;
  const config: PoolConfig = { minSize: 0, maxSize: OFFSETS.length, lifetimeMs };
  const made = await ProbeSession.with(adapter, config, async (s) => {
    await s.sleepUntil(FIRST_ACQUIRE_AT);
    const ids: number[] = [];
    for (let i = 0; i < OFFSETS.length; i++) ids.push(await s.acquire());
    const releases: { id: number; at: number }[] = [];
    for (const [i, offset] of OFFSETS.entries()) {
      await s.sleepUntil(FIRST_RELEASE_AT + offset * scale);
      await s.release(ids[i]!);
      releases.push({ id: ids[i]!, at: s.now() });
    }
    await s.sleepUntilDone(() => ids.every((id) => s.destroyedAt(id) !== null), lifetimeMs, 60 * lifetimeMs);
    return { ids, releases: releases.map((r) => ({ ...r, closedAt: s.destroyedAt(r.id) })), until: s.now() };
  });
  if (!made.created) return { error: `create failed: ${made.error}` };
  const { ids, releases, until } = made.value;
  const commands: CommandJson[] = [{ op: 'sleep', ms: FIRST_ACQUIRE_AT }, ...ids.map(() => ({ op: 'acquire' }) as const)];
  let now = FIRST_ACQUIRE_AT;
  for (const r of releases) {
    if (r.at > now) commands.push({ op: 'sleep', ms: r.at - now });
    commands.push({ op: 'release', connection: r.id });
    now = r.at;
  }
  const lastClose = Math.max(...releases.map((r) => r.closedAt ?? until));
  commands.push({ op: 'sleep', ms: lastClose + 1 - now });
  return { config, releases, until, commands };
}

export function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}
