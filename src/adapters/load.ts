import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DefinitionError } from '../runner/violation-error.js';
import { validateCheckOptions } from '../runner/validate.js';
import type { PoolAdapter } from './types.js';

const EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts'];

/**
 * Loads a user's adapter module: a `.js`, `.mjs` or `.ts` file whose default export, or `adapter`
 * export, is an adapter object or a function returning one. TypeScript is loaded through tsx, so
 * no build step is needed. Every problem is a {@link DefinitionError} naming the file and the fix.
 * With `semantics: 'optional'` (for `infer`) the adapter may leave its `semantics` out; the object
 * returned then has none, whatever its type says.
 */
export async function loadAdapterModule(path: string, semantics: 'required' | 'optional' = 'required'): Promise<PoolAdapter> {
  const file = resolve(path);
  const ext = extname(file);
  if (!EXTENSIONS.includes(ext)) throw new DefinitionError(`poolcheck: adapter module ${path} must be a ${EXTENSIONS.join(', ')} file`);
  if (!existsSync(file)) throw new DefinitionError(`poolcheck: adapter module ${path} does not exist (resolved to ${file})`);
  const url = pathToFileURL(file).href;
  let mod: Record<string, unknown>;
  try {
    if (ext === '.ts' || ext === '.mts') {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new DefinitionError(`poolcheck: adapter module ${path} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  const exported = mod['adapter'] ?? mod['default'];
  if (exported === undefined) {
    throw new DefinitionError(`poolcheck: adapter module ${path} exports no adapter: export the adapter object (or a function returning it) as \`default\` or as \`adapter\`; it exports ${Object.keys(mod).join(', ') || 'nothing'}`);
  }
  const adapter = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  try {
    validateCheckOptions({ adapter: adapter as PoolAdapter }, semantics);
  } catch (error) {
    throw new DefinitionError(`${(error as Error).message} (in ${path})`);
  }
  return adapter as PoolAdapter;
}

/** Whether a `--adapter` value names a file rather than a built-in adapter. */
export function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes('\\') || EXTENSIONS.includes(extname(name));
}
