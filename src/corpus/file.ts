import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BUILT_IN_ADAPTERS } from '../adapters/registry.js';
import { commandFromJson } from '../commands/from-json.js';
import type { CommandJson } from '../commands/json.js';
import type { PoolConfig, Semantics } from '../model/semantics.js';
import type { ViolationKind } from '../model/violation.js';
import { PROPERTIES } from '../runner/properties.js';
import { DefinitionError } from '../runner/violation-error.js';

/** The schema of a saved regression case. A file with any other version is refused, by name. */
export const REGRESSION_SCHEMA = 'poolcheck/regression@1';

/**
 * Which pool a case runs against: a built-in adapter by its `--adapter` name, or an adapter
 * module by its path relative to the case file's own directory (so the corpus and the modules
 * can move together, and the file replays from any working directory). `name` is the adapter's
 * own name when the case was saved, for readers.
 */
export type AdapterRef = { readonly builtIn: string; readonly name: string } | { readonly module: string; readonly name: string };

/**
 * What replaying a case must give. `pass`: the pool must pass it (a bug that must stay fixed;
 * every newly found failure is saved so). `fail`: a known bug kept as evidence; it must still
 * fail with this kind of violation.
 */
export type Expectation = { readonly verdict: 'pass' } | { readonly verdict: 'fail'; readonly violation: { readonly kind: ViolationKind; readonly message: string } };

/** Where a case came from: enough to find it again with `poolcheck check --seed --path`. */
export interface Provenance {
  /** The fast-check seed of the chunk that found it. */
  readonly seed: number;
  readonly path: string;
  readonly replayPath: string | null;
  /** The day it was found, `YYYY-MM-DD` (UTC). */
  readonly found: string;
  /** The poolcheck version that found it. */
  readonly poolcheck: string;
  /** The shard of the campaign that found it, `i/n`. */
  readonly shard: string;
  /**
   * The violation the case failed with when found: part of its signature, so one bug is one case.
   * Absent in files saved before it was recorded; a `fail` expectation then names it.
   */
  readonly kind?: ViolationKind;
}

/** One saved counterexample: `fixtures/regressions/<adapter>/<hash>.json`. */
export interface RegressionCase {
  readonly schema: typeof REGRESSION_SCHEMA;
  readonly adapter: AdapterRef;
  readonly config: PoolConfig;
  /** The adapter's declared semantics when the case was saved. */
  readonly semantics: Semantics;
  readonly steps: readonly CommandJson[];
  readonly expect: Expectation;
  readonly provenance: Provenance;
  /** The file the case was read from; set by {@link readCaseFile}, never written. */
  readonly file?: string;
}

const KINDS: ReadonlySet<string> = new Set(PROPERTIES.flatMap((p) => p.breaks));

/**
 * Reads and checks a saved case. Anything wrong (not JSON, an unknown or missing schema version,
 * a missing or bad field, an unknown adapter, a step that is not a command) is a
 * {@link DefinitionError} naming the file and what to fix.
 */
export async function readCaseFile(path: string): Promise<RegressionCase> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DefinitionError(`poolcheck: regression file ${path} cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DefinitionError(`poolcheck: regression file ${path} is not JSON: ${(error as Error).message}`);
  }
  return { ...parseCase(json, path), file: resolve(path) };
}

/** Checks a parsed case; `where` names it in errors (its file). */
export function parseCase(json: unknown, where: string): RegressionCase {
  const bad = (what: string): never => {
    throw new DefinitionError(`poolcheck: regression file ${where}: ${what}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad(`expected a JSON object with "schema": "${REGRESSION_SCHEMA}", got ${describe(json)}`);
  const c = json as Record<string, unknown>;
  if (c['schema'] === undefined) bad(`"schema" is missing; a regression case starts with "schema": "${REGRESSION_SCHEMA}"`);
  if (c['schema'] !== REGRESSION_SCHEMA) bad(`unknown schema ${JSON.stringify(c['schema'])}; this poolcheck reads "${REGRESSION_SCHEMA}" (a newer poolcheck may have written it)`);
  const object = (field: string, value: unknown): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : bad(`"${field}" must be an object, got ${describe(value)}`);
  const string = (field: string, value: unknown): string => (typeof value === 'string' && value !== '' ? value : bad(`"${field}" must be a non-empty string, got ${describe(value)}`));
  const whole = (field: string, value: unknown, min: number): number => (typeof value === 'number' && Number.isInteger(value) && value >= min ? value : bad(`"${field}" must be a whole number >= ${min}, got ${describe(value)}`));

  const a = object('adapter', c['adapter']);
  const name = string('adapter.name', a['name']);
  let adapter: AdapterRef;
  if (a['builtIn'] !== undefined) {
    const builtIn = string('adapter.builtIn', a['builtIn']);
    if (BUILT_IN_ADAPTERS[builtIn] === undefined) bad(`unknown adapter "${builtIn}"; built-in adapters are ${Object.keys(BUILT_IN_ADAPTERS).join(', ')}, or give { "module": "<path relative to this file>" }`);
    adapter = { builtIn, name };
  } else if (a['module'] !== undefined) {
    const module = string('adapter.module', a['module']);
    const resolved = resolve(dirname(where), module);
    if (!existsSync(resolved)) bad(`adapter module "${module}" does not exist (resolved relative to the file, to ${resolved})`);
    adapter = { module, name };
  } else {
    return bad('"adapter" needs "builtIn" (a built-in adapter name) or "module" (an adapter module path relative to this file)');
  }

  const cfg = object('config', c['config']);
  const base: PoolConfig = { minSize: whole('config.minSize', cfg['minSize'], 0), maxSize: whole('config.maxSize', cfg['maxSize'], 1), lifetimeMs: whole('config.lifetimeMs', cfg['lifetimeMs'], 0) };
  // Left out: the pool's acquires wait for ever (or the run drew no timeout).
  const config: PoolConfig = cfg['acquireTimeoutMs'] === undefined ? base : { ...base, acquireTimeoutMs: whole('config.acquireTimeoutMs', cfg['acquireTimeoutMs'], 1) };
  if (config.minSize > config.maxSize) bad(`config.minSize ${config.minSize} is above config.maxSize ${config.maxSize}`);
  const semantics = object('semantics', c['semantics']) as unknown as Semantics;
  if (typeof semantics.expiry !== 'object' || semantics.expiry === null) bad('"semantics.expiry" must be an object, as the adapter declares it');

  if (!Array.isArray(c['steps'])) bad(`"steps" must be an array of commands like { "op": "acquire" }, got ${describe(c['steps'])}`);
  const steps = c['steps'] as unknown[];
  steps.forEach((step, i) => {
    const command = commandFromJson(step);
    if (typeof command === 'string') bad(`step ${i + 1} is not a command: ${command}`);
  });

  const e = object('expect', c['expect']);
  let expectation: Expectation;
  if (e['verdict'] === 'pass') expectation = { verdict: 'pass' };
  else if (e['verdict'] === 'fail') {
    const v = object('expect.violation', e['violation']);
    const kind = string('expect.violation.kind', v['kind']);
    if (!KINDS.has(kind)) bad(`unknown violation kind "${kind}" in "expect.violation.kind"; kinds are ${[...KINDS].join(', ')}`);
    expectation = { verdict: 'fail', violation: { kind: kind as ViolationKind, message: string('expect.violation.message', v['message']) } };
  } else {
    return bad(`"expect.verdict" must be "pass" (the pool must pass it) or "fail" (a known bug kept as evidence), got ${describe(e['verdict'])}`);
  }

  const p = object('provenance', c['provenance']);
  const replayPath = p['replayPath'];
  if (replayPath !== null && typeof replayPath !== 'string') bad(`"provenance.replayPath" must be a string or null, got ${describe(replayPath)}`);
  const provenance: Provenance = {
    seed: typeof p['seed'] === 'number' && Number.isInteger(p['seed']) ? p['seed'] : bad(`"provenance.seed" must be an integer, got ${describe(p['seed'])}`),
    path: typeof p['path'] === 'string' ? p['path'] : bad(`"provenance.path" must be a string, got ${describe(p['path'])}`),
    replayPath: replayPath as string | null,
    found: string('provenance.found', p['found']),
    poolcheck: string('provenance.poolcheck', p['poolcheck']),
    shard: /^\d+\/\d+$/.test(String(p['shard'])) ? String(p['shard']) : bad(`"provenance.shard" must look like "1/4", got ${describe(p['shard'])}`),
  };
  if (p['kind'] !== undefined) {
    const kind = string('provenance.kind', p['kind']);
    if (!KINDS.has(kind)) bad(`unknown violation kind "${kind}" in "provenance.kind"; kinds are ${[...KINDS].join(', ')}`);
    (provenance as { kind?: ViolationKind }).kind = kind as ViolationKind;
  }
  return { schema: REGRESSION_SCHEMA, adapter, config, semantics, steps: steps as CommandJson[], expect: expectation, provenance };
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
