import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadAdapterModule, looksLikePath } from '../adapters/load.js';
import { BUILT_IN_ADAPTERS } from '../adapters/registry.js';
import { auditDifferences, formatInfer, inferToJson } from '../infer/format.js';
import { infer, type InferResult, type UndeclaredAdapter } from '../infer/infer.js';
import { DEFAULT_RUNS } from '../runner/check.js';
import { integer, wholeNumber } from './numbers.js';
import { UsageError } from './usage.js';

/**
 * `poolcheck infer --adapter NAME|PATH`: the declaration that fits the pool, field by field with
 * its evidence, confirmed by a full check. Exit 0 when every field has a value, the check passed
 * and (for an adapter that declares its semantics) the declaration matches; 1 otherwise.
 */
export async function runInfer(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      adapter: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      json: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      'no-confirm': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new UsageError(`infer takes no positional arguments, got '${positionals.join(' ')}'; name adapters with --adapter`);
  if (values['no-confirm'] === true && (values.runs ?? values.seed) !== undefined) throw new UsageError('--runs and --seed set the confirming check, which --no-confirm skips; drop one');
  const confirm = values['no-confirm'] === true ? false : { numRuns: values.runs === undefined ? DEFAULT_RUNS : wholeNumber('--runs', values.runs, 1), seed: values.seed === undefined ? 1 : integer('--seed', values.seed) };
  const adapters = await selectForInfer(values);
  const results: InferResult[] = [];
  for (const adapter of adapters) {
    const result = await infer({ adapter, confirm });
    results.push(result);
    if (values.json !== '-') process.stdout.write(`${formatInfer(result)}\n${adapters.length > 1 ? '\n' : ''}`);
  }
  if (values.json !== undefined) {
    const text = `${JSON.stringify(results.length === 1 ? inferToJson(results[0]!) : results.map(inferToJson), null, 2)}\n`;
    if (values.json === '-') process.stdout.write(text);
    else await writeFile(values.json, text);
  }
  return results.every(settled) ? 0 : 1;
}

function settled(r: InferResult): boolean {
  return r.contradictions.length === 0 && r.confirmation?.passed !== false && auditDifferences(r).length === 0;
}

async function selectForInfer(values: { adapter?: string[] | undefined; all?: boolean | undefined }): Promise<UndeclaredAdapter[]> {
  if (values.all === true && values.adapter !== undefined) throw new UsageError('--all already takes every built-in adapter; drop --adapter or --all');
  if (values.all !== true && values.adapter === undefined) throw new UsageError('infer needs the pool to probe: --adapter NAME (a built-in adapter, whose declaration is then audited) or --adapter PATH (an adapter module, semantics optional), or --all');
  const names = values.all === true ? Object.keys(BUILT_IN_ADAPTERS) : values.adapter!;
  const selected: UndeclaredAdapter[] = [];
  for (const name of names) {
    const make = BUILT_IN_ADAPTERS[name];
    if (make !== undefined) selected.push(await make());
    else if (looksLikePath(name)) selected.push(await loadAdapterModule(name, 'optional'));
    else throw new UsageError(`unknown adapter '${name}'; infer knows the built-in adapters ${Object.keys(BUILT_IN_ADAPTERS).join(', ')}, or give the path of an adapter module (.js, .mjs or .ts)`);
  }
  return selected;
}
