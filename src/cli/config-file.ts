import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importLibrary } from '../adapters/library.js';
import { loadAdapterModule, looksLikePath } from '../adapters/load.js';
import { BUILT_IN_ADAPTERS, NAMED_ONLY_ADAPTERS } from '../adapters/registry.js';
import type { PoolAdapter } from '../adapters/types.js';
import type { ConfigRanges, Range } from '../runner/config-ranges.js';
import { validateCheckOptions } from '../runner/validate.js';
import type { SelectedAdapter } from './adapters.js';
import { parseRange, RANGE_FLAGS, type RangeFlag } from './ranges.js';
import { DefinitionError } from '../runner/violation-error.js';
import { UsageError } from './usage.js';
import type * as tsxApi from 'tsx/esm/api';

/**
 * The names poolcheck looks for, in this order, in the working directory only: the project root,
 * as vitest looks for its own config there (it does not search the folders above). `--config FILE`
 * names another.
 */
export const CONFIG_FILES = ['poolcheck.config.ts', 'poolcheck.config.mts', 'poolcheck.config.mjs', 'poolcheck.config.js', 'poolcheck.config.json'] as const;

/**
 * An adapter in a config file: a built-in name or a module path (relative to the config file), a
 * built-in with the library's own options, or (in a .ts or .js config) an adapter object.
 */
export type ConfigAdapter = string | { readonly adapter: string; readonly options?: Readonly<Record<string, unknown>> } | PoolAdapter;

/** A config file as written: every key optional, any other key refused. */
export interface PoolcheckConfig {
  readonly adapters?: readonly ConfigAdapter[];
  /** Runs per adapter for `check` (fuzz takes its budget from `fuzz`). */
  readonly runs?: number;
  /** Ranges for the drawn configuration: a number, `'A-B'`, or `{ min, max }` each. */
  readonly configs?: { readonly min?: RangeValue; readonly max?: RangeValue; readonly lifetime?: RangeValue; readonly acquireTimeout?: RangeValue };
  /** Where `fuzz` saves its cases (relative to the config file). */
  readonly corpus?: string;
  /** `fuzz`'s budget when the command line gives none. */
  readonly fuzz?: { readonly time?: string; readonly runs?: number; readonly workers?: number };
}

type RangeValue = number | string | Range;

/** A config file, read and checked, its paths made absolute. */
export interface LoadedConfig {
  readonly path: string;
  readonly adapters: readonly ConfigAdapter[] | undefined;
  readonly runs: number | undefined;
  readonly ranges: ConfigRanges | undefined;
  readonly corpus: string | undefined;
  readonly fuzz: { readonly time?: string; readonly runs?: number; readonly workers?: number } | undefined;
}

const KEYS = ['adapters', 'runs', 'configs', 'corpus', 'fuzz'];
const RANGE_KEYS: Readonly<Record<string, RangeFlag>> = { min: 'min', max: 'max', lifetime: 'lifetime', acquireTimeout: 'acquire-timeout' };
const FUZZ_KEYS = ['time', 'runs', 'workers'];

/** The config file to use: `--config FILE`, else the first of {@link CONFIG_FILES} in `cwd`, else none. */
export function findConfigFile(explicit: string | undefined, cwd = process.cwd()): string | null {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new UsageError(`--config ${explicit}: no such file`);
    return resolve(explicit);
  }
  for (const name of CONFIG_FILES) if (existsSync(join(cwd, name))) return join(cwd, name);
  return null;
}

/** Reads and checks a config file; every problem is a {@link DefinitionError} naming the file and the key. */
export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  const raw = await readConfig(path);
  const where = `poolcheck: ${path}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DefinitionError(`${where} must export an object (export default { adapters, runs, configs, corpus, fuzz })`);
  const config = raw as Record<string, unknown>;
  unknownKeys(where, config, KEYS, '');
  const dir = dirname(path);
  const adapters = config['adapters'] === undefined ? undefined : adapterEntries(where, config['adapters'], dir);
  const runs = config['runs'] === undefined ? undefined : whole(where, 'runs', config['runs'], 1);
  const corpus = config['corpus'] === undefined ? undefined : resolve(dir, text(where, 'corpus', config['corpus']));
  const ranges = config['configs'] === undefined ? undefined : rangesOf(where, config['configs']);
  let fuzz: LoadedConfig['fuzz'];
  if (config['fuzz'] !== undefined) {
    const f = config['fuzz'];
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new DefinitionError(`${where}: fuzz must be an object like { time: '10m' } or { runs: 1000 }`);
    const given = f as Record<string, unknown>;
    unknownKeys(where, given, FUZZ_KEYS, 'fuzz.');
    if (given['time'] !== undefined && given['runs'] !== undefined) throw new DefinitionError(`${where}: fuzz.time and fuzz.runs both set a budget; give one of them`);
    fuzz = {
      ...(given['time'] === undefined ? {} : { time: text(where, 'fuzz.time', given['time']) }),
      ...(given['runs'] === undefined ? {} : { runs: whole(where, 'fuzz.runs', given['runs'], 1) }),
      ...(given['workers'] === undefined ? {} : { workers: whole(where, 'fuzz.workers', given['workers'], 1) }),
    };
  }
  return { path, adapters, runs, ranges, corpus, fuzz };
}

/** The adapters of a config file, loaded: built-in names, modules, built-ins with options, objects. */
export async function selectConfigAdapters(config: LoadedConfig): Promise<SelectedAdapter[]> {
  const selected: SelectedAdapter[] = [];
  for (const entry of config.adapters ?? []) {
    if (typeof entry === 'string') {
      const make = BUILT_IN_ADAPTERS[entry] ?? NAMED_ONLY_ADAPTERS[entry];
      selected.push(make !== undefined ? { name: entry, adapter: await make() } : { name: entry, adapter: await loadAdapterModule(entry) });
    } else if ('adapter' in entry && typeof entry.adapter === 'string') {
      selected.push({ name: entry.adapter, adapter: await BUILT_IN_ADAPTERS[entry.adapter]!(entry.options) });
    } else {
      selected.push({ name: (entry as PoolAdapter).name, adapter: entry as PoolAdapter });
    }
  }
  return selected;
}

async function readConfig(path: string): Promise<unknown> {
  const ext = extname(path);
  if (ext === '.json') {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      throw new DefinitionError(`poolcheck: ${path} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const url = pathToFileURL(path).href;
  let mod: Record<string, unknown>;
  try {
    if (ext === '.ts' || ext === '.mts') {
      const tsx = await importLibrary<typeof tsxApi>('tsx/esm/api', `the config file ${path}`);
      mod = (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'DefinitionError') throw error;
    throw new DefinitionError(`poolcheck: ${path} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A .ts file outside an ES module package loads as CommonJS: its default export sits one level down.
  let exported = mod['default'];
  if (typeof exported === 'object' && exported !== null && Object.keys(exported).every((k) => k === 'default' || k === '__esModule') && 'default' in exported) {
    exported = (exported as { default: unknown }).default;
  }
  if (exported === undefined) throw new DefinitionError(`poolcheck: ${path} has no default export: export default { adapters, runs, configs, corpus, fuzz }`);
  return exported;
}

function adapterEntries(where: string, value: unknown, dir: string): ConfigAdapter[] {
  if (!Array.isArray(value) || value.length === 0) throw new DefinitionError(`${where}: adapters must be a non-empty list of built-in names, module paths, { adapter, options } or adapter objects`);
  return value.map((entry: unknown, i): ConfigAdapter => {
    const at = `${where}: adapters[${i}]`;
    if (typeof entry === 'string') {
      if (BUILT_IN_ADAPTERS[entry] !== undefined || NAMED_ONLY_ADAPTERS[entry] !== undefined) return entry;
      if (looksLikePath(entry)) return resolve(dir, entry);
      throw new DefinitionError(`${at} is '${entry}': not a built-in adapter (${Object.keys(BUILT_IN_ADAPTERS).join(', ')}) nor a module path (.js, .mjs or .ts)`);
    }
    if (typeof entry !== 'object' || entry === null) throw new DefinitionError(`${at} must be a name, a module path, { adapter, options } or an adapter object; got ${JSON.stringify(entry)}`);
    const e = entry as Record<string, unknown>;
    if (typeof e['adapter'] === 'string') {
      unknownKeys(at, e, ['adapter', 'options'], '');
      if (BUILT_IN_ADAPTERS[e['adapter']] === undefined) throw new DefinitionError(`${at}.adapter is '${e['adapter']}': options go to a built-in adapter (${Object.keys(BUILT_IN_ADAPTERS).join(', ')}); for your own, pass the options in your module`);
      const options = e['options'];
      if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) throw new DefinitionError(`${at}.options must be an object of the library's own options`);
      return options === undefined ? { adapter: e['adapter'] } : { adapter: e['adapter'], options: options as Record<string, unknown> };
    }
    try {
      validateCheckOptions({ adapter: entry as PoolAdapter });
    } catch (error) {
      throw new DefinitionError(`${at}: ${(error as Error).message}`);
    }
    return entry as PoolAdapter;
  });
}

function rangesOf(where: string, value: unknown): ConfigRanges {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DefinitionError(`${where}: configs must be an object like { min: 0, lifetime: '1-1000' }`);
  const given = value as Record<string, unknown>;
  unknownKeys(where, given, Object.keys(RANGE_KEYS), 'configs.');
  const ranges: Record<string, Range> = {};
  for (const [key, flag] of Object.entries(RANGE_KEYS)) {
    const v = given[key];
    if (v === undefined) continue;
    const written = typeof v === 'object' && v !== null ? `${String((v as Range).min)}-${String((v as Range).max)}` : String(v);
    try {
      ranges[RANGE_FLAGS[flag].field] = parseRange(flag, written);
    } catch (error) {
      throw new DefinitionError(`${where}: configs.${key}: ${(error as Error).message.replace(`--${flag} takes`, 'takes')}`);
    }
  }
  return ranges as ConfigRanges;
}

function unknownKeys(where: string, given: Record<string, unknown>, known: readonly string[], prefix: string): void {
  const unknown = Object.keys(given).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new DefinitionError(`${where}: unknown key ${unknown.map((k) => `'${prefix}${k}'`).join(', ')}; the keys are ${known.map((k) => prefix + k).join(', ')}`);
}

function whole(where: string, key: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new DefinitionError(`${where}: ${key} must be a whole number >= ${min}; got ${JSON.stringify(value)}`);
  return value;
}

function text(where: string, key: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new DefinitionError(`${where}: ${key} must be a non-empty string; got ${JSON.stringify(value)}`);
  return value;
}
