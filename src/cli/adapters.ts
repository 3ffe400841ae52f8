import { loadAdapterModule, looksLikePath } from '../adapters/load.js';
import { BUILT_IN_ADAPTERS, NAMED_ONLY_ADAPTERS, SCENARIO_VARIANTS } from '../adapters/registry.js';
import type { PoolAdapter } from '../adapters/types.js';
import { UsageError } from './usage.js';

export interface SelectedAdapter {
  /** What the user typed: a built-in name or a module path. */
  readonly name: string;
  readonly adapter: PoolAdapter;
}

/**
 * `--adapter NAME|PATH`... or `--all`, shared by the commands that take adapters. `variants` adds
 * the scenario-only settings to the names known, and to `--all`.
 */
export async function selectAdapters(values: { adapter?: string[] | undefined; all?: boolean | undefined }, variants = false): Promise<SelectedAdapter[]> {
  if (values.all === true && values.adapter !== undefined) throw new UsageError('--all already takes every built-in adapter; drop --adapter or --all');
  const known = variants ? { ...BUILT_IN_ADAPTERS, ...SCENARIO_VARIANTS } : BUILT_IN_ADAPTERS;
  const names = values.all === true ? Object.keys(known) : (values.adapter ?? ['own']);
  const selected: SelectedAdapter[] = [];
  for (const name of names) {
    const make = known[name] ?? (values.all === true ? undefined : NAMED_ONLY_ADAPTERS[name]);
    if (make !== undefined) selected.push({ name, adapter: await make() });
    else if (looksLikePath(name)) selected.push({ name, adapter: await loadAdapterModule(name) });
    else throw new UsageError(`unknown adapter '${name}'; built-in adapters are ${[...Object.keys(known), ...Object.keys(NAMED_ONLY_ADAPTERS)].join(', ')}, or give the path of an adapter module (.js, .mjs or .ts)`);
  }
  return selected;
}
