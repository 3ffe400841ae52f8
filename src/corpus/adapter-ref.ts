import { basename, dirname, extname, relative, resolve, sep } from 'node:path';
import { loadAdapterModule } from '../adapters/load.js';
import type { PoolAdapter } from '../adapters/types.js';
import { DefinitionError } from '../runner/violation-error.js';
import type { AdapterRef } from './file.js';

/**
 * Where an adapter comes from, independent of any file: a built-in name, or an absolute module
 * path. Worker threads receive this, never the adapter object, and load the adapter themselves.
 */
export type AdapterSource = { readonly builtIn: string } | { readonly module: string };

/**
 * Loads the adapter behind a source. The built-in adapters (and with them every pool library) are
 * imported only when one is asked for: a worker thread fuzzing a module of its own starts faster.
 */
export async function loadAdapter(source: AdapterSource): Promise<PoolAdapter> {
  if ('builtIn' in source) {
    const { BUILT_IN_ADAPTERS } = await import('../adapters/registry.js');
    const make = BUILT_IN_ADAPTERS[source.builtIn];
    if (make === undefined) throw new DefinitionError(`poolcheck: unknown adapter "${source.builtIn}"; built-in adapters are ${Object.keys(BUILT_IN_ADAPTERS).join(', ')}`);
    return make();
  }
  return loadAdapterModule(source.module);
}

/** The source a case file's adapter reference names: a module path is relative to the file. */
export function sourceFromRef(ref: AdapterRef, caseFile: string): AdapterSource {
  return 'builtIn' in ref ? { builtIn: ref.builtIn } : { module: resolve(dirname(caseFile), ref.module) };
}

/** The reference to write into a case file at `caseFile`: a module path relative to it, with `/`. */
export function refFor(source: AdapterSource, name: string, caseFile: string): AdapterRef {
  if ('builtIn' in source) return { name, builtIn: source.builtIn };
  return { name, module: relative(dirname(caseFile), source.module).split(sep).join('/') };
}

/**
 * The directory name of an adapter's cases: the built-in name, or the module's file name without
 * its extension, in lower case letters, digits and dashes.
 */
export function slugOf(source: AdapterSource): string {
  const raw = 'builtIn' in source ? source.builtIn : basename(source.module, extname(source.module));
  return raw.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'adapter';
}

/**
 * What identifies an adapter in a case's hash: the built-in name, or the adapter's own name for a
 * module, so that the same case saved from another directory, or after the module moved, is still
 * the same case.
 */
export function identityOf(ref: AdapterRef): string {
  return 'builtIn' in ref ? `built-in:${ref.builtIn}` : `module:${ref.name}`;
}
