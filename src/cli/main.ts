import { readFileSync } from 'node:fs';
import { DefinitionError } from '../runner/violation-error.js';
import { COMMAND_USAGE, USAGE, UsageError } from './usage.js';

/** The commands that may load pg-mem, and so use its code cache (connectors/compile-cache.ts). */
const LOADS_PG_MEM = new Set(['check', 'scenario', 'fuzz', 'replay', 'infer']);

/**
 * The CLI's edge: results come back as values; only here do they become an exit code. A usage
 * mistake prints what was wrong and the usage, exit 2.
 *
 * Each command is imported when it is run: pg-mem, pg, tsx and the pool libraries cost hundreds of
 * milliseconds to load, which `--version` or `replay` should not pay.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const usage = (command !== undefined ? COMMAND_USAGE[command] : undefined) ?? USAGE;
  if (usage !== USAGE && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    // Commands that may load pg-mem keep its compiled code between runs (compile-cache.ts).
    if (command !== undefined && LOADS_PG_MEM.has(command)) (await import('../connectors/compile-cache.js')).useCompileCache();
    switch (command) {
      case 'check':
        return await (await import('./check.js')).runCheck(rest);
      case 'scenario':
        return await (await import('./scenario.js')).runScenario(rest);
      case 'fuzz':
        return await (await import('./fuzz.js')).runFuzz(rest);
      case 'replay':
        return await (await import('./replay.js')).runReplay(rest);
      case 'infer':
        return await (await import('./infer.js')).runInfer(rest);
      case '--version':
        process.stdout.write(`${(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (error) {
    // A wrong adapter module or option is the user's to fix, not a crash: say what, exit 2.
    if (error instanceof DefinitionError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || isParseArgsError(error)) {
      process.stderr.write(`poolcheck: ${(error as Error).message}\n\n${usage}\n`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  return error instanceof TypeError && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
