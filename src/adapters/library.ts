import { DefinitionError } from '../runner/violation-error.js';

/**
 * Imports an optional peer dependency (a pool library, pg, tsx) at the moment a run needs it. A
 * user who checks only their own pool installs none of them, so one that is missing is their
 * choice to make, not a crash: the error names the package, why it is needed, and the install line.
 *
 * @param pkg - the package (or a subpath of it, like `tsx/esm/api`)
 * @param why - what asked for it, as the user wrote it: "`--adapter tarn`", "`--db URL`"
 */
export async function importLibrary<T>(pkg: string, why: string): Promise<T> {
  try {
    return (await import(pkg)) as T;
  } catch (error) {
    const name = packageName(pkg);
    if (isMissing(error, name)) throw new DefinitionError(`poolcheck: ${why} needs the ${name} package: npm install --save-dev ${name}`);
    throw error;
  }
}

/** `tsx/esm/api` → `tsx`, `@scope/pkg/sub` → `@scope/pkg`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * Only the package itself missing counts: a package that is installed but fails to load (a broken
 * dependency of its own) keeps its real error.
 */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const message = error instanceof Error ? error.message : '';
  return message.includes(`'${name}'`) || message.includes(`'${name}/`) || message.includes(`"${name}"`);
}
