import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DefinitionError } from '../runner/violation-error.js';
import { validateCheckOptions } from '../runner/validate.js';
import type * as tsxApi from 'tsx/esm/api';
import { importLibrary } from './library.js';
import type { PoolAdapter } from './types.js';

type TsxApi = typeof tsxApi;

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
  // tsx is an optional peer: only a TypeScript adapter module needs it.
  const typescript = ext === '.ts' || ext === '.mts' ? await importLibrary<TsxApi>('tsx/esm/api', `the TypeScript adapter module ${path}`) : null;
  let mod: Record<string, unknown>;
  try {
    if (typescript !== null) {
      mod = (await typescript.tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    throw new DefinitionError(`poolcheck: adapter module ${path} failed to load: ${describeLoadError(error, file)}`);
  }
  const exported = mod['adapter'] ?? mod['default'];
  if (exported === undefined) {
    throw new DefinitionError(`poolcheck: adapter module ${path} exports no adapter: export the adapter object (or a function returning it) as \`default\` or as \`adapter\`; it exports ${Object.keys(mod).join(', ') || 'nothing'}`);
  }
  let adapter: unknown;
  try {
    adapter = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  } catch (error) {
    // The factory is the user's code: what it threw says what is missing (a library, a setting).
    throw new DefinitionError(`poolcheck: the adapter factory exported by ${path} threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}${whereThrown(error, file)}; fix the factory so it returns an adapter`);
  }
  try {
    validateCheckOptions({ adapter: adapter as PoolAdapter }, semantics);
  } catch (error) {
    throw new DefinitionError(`${(error as Error).message} (in ${path})`);
  }
  return adapter as PoolAdapter;
}

/**
 * A load error as one line. A syntax error in a JavaScript module says where: Node's ESM loader
 * (and a test runner's transform) drops the location, so a module that failed to load is parsed
 * again by `node --check`, whose error has it (a process start, on the error path only). tsx's
 * own errors already name file:line:column.
 */
function describeLoadError(error: unknown, file: string): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  if (!['.js', '.mjs', '.cjs'].includes(extname(file))) return message;
  const checked = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const m = /^(.*):(\d+)\n(.*)\n( *)\^[\s\S]*?\n(SyntaxError: .*)$/m.exec(checked.stderr ?? '');
  return checked.status === 0 || m === null ? message : `${m[5]} at ${m[1]}:${m[2]}:${m[4]!.length + 1}`;
}

/** ` (at file:line:column)` where the stack shows a frame in the module itself. */
function whereThrown(error: unknown, file: string): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const url = pathToFileURL(file).href;
  const frame = stack.split('\n').find((l) => l.includes(url) || l.includes(file));
  const m = frame === undefined ? null : /:(\d+):(\d+)\)?$/.exec(frame);
  return m === null ? '' : ` (at ${file}:${m[1]}:${m[2]})`;
}

/** Whether a `--adapter` value names a file rather than a built-in adapter. */
export function looksLikePath(name: string): boolean {
  return name.includes('/') || name.includes('\\') || EXTENSIONS.includes(extname(name));
}
