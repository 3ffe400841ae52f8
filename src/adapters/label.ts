import { adapterDigest } from '../runner/rerun.js';
import { BUILT_IN_DECLARATIONS } from './registry.js';
import type { PoolAdapter } from './types.js';

/**
 * The `--adapter` name of a built-in adapter with this adapter's name and declared semantics, so a
 * rerun line printed outside the CLI (by the vitest helper) names it; undefined for any other.
 */
export function builtInNameOf(adapter: PoolAdapter): string | undefined {
  const digest = adapterDigest(adapter);
  for (const [name, make] of Object.entries(BUILT_IN_DECLARATIONS)) {
    try {
      if (adapterDigest(make()) === digest) return name;
    } catch {
      // A declaration that cannot be made is not the one given.
    }
  }
  return undefined;
}
