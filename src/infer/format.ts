import type { Semantics } from '../model/semantics.js';
import { differences, type Difference } from './compare.js';
import type { InferResult } from './infer.js';
import type { Finding } from './types.js';

const FIELDS = ['expiry', 'armsOn', 'min', 'minFloor', 'minRefill', 'minOpens', 'discardRefill', 'reuse', 'handoff', 'zeroLifetime', 'opensMinOnCreate', 'gracefulClose', 'validation'] as const;
const CAPABILITIES = ['waiters', 'acquireTimeout', 'destroy', 'failedConnect', 'slowConnect', 'brokenIdle', 'closeRejectsWaiters', 'terminateRejectsWaiters', 'closeDuringConnect', 'terminateDuringConnect', 'burstConnects', 'connectServes', 'connectsInFloor', 'queueConnects', 'abort', 'failedValidation', 'slowQuery'] as const;
const WIDTH = 100;

/**
 * The session as text: a ready-to-paste `semantics` property (for the adapter's object literal), each field under a comment with its
 * evidence, then what depends on the configuration, the contradictions (and which probe to look
 * at), the audit of a declaration the adapter already had, and the confirming check's verdict.
 */
export function formatInfer(result: InferResult): string {
  const byField = new Map(result.findings.map((f) => [f.field, f]));
  const broken = new Set(result.contradictions.map((c) => c.field));
  const skipped = new Map(result.skipped.flatMap((k) => k.fields.map((f) => [f, k.needs] as const)));
  const lines: string[] = [`poolcheck infer: ${result.adapter}`, '', 'semantics: {'];
  const field = (indent: string, name: string, value: unknown): void => {
    const finding = byField.get(name);
    const needs = skipped.get(name);
    const note = broken.has(name)
      ? 'NO VALUE FITS (see the contradictions below); a neutral default stands here'
      : needs !== undefined
        ? `NOT PROBED: its probe relies on ${needs.join(' and ')}, for which no value fits; a neutral default stands here`
        : finding === undefined
          ? name.startsWith('min') ? 'from the min and opens-min probes, with the refill the destroy probe found' : 'not probed'
          : evidenceOf(finding);
    lines.push(...wrap(note, `${indent}// `));
    lines.push(`${indent}${name.replace(/^capabilities\./, '')}: ${literal(value)},`);
  };
  // A shorthand replaced by its fields (min by minFloor, minRefill, minOpens) is left out.
  for (const name of FIELDS) if (result.semantics[name] !== undefined) field('  ', name, result.semantics[name]);
  lines.push('  capabilities: {');
  for (const name of CAPABILITIES) {
    const value = result.semantics.capabilities?.[name];
    // A field left out (closeDuringConnect, burstConnects at its default) is left out of the paste too, with its evidence.
    if (value === undefined && byField.has(`capabilities.${name}`)) lines.push(...wrap(`${name} left out: ${byField.get(`capabilities.${name}`)!.evidence}`, '    // '));
    else field('    ', `capabilities.${name}`, value);
  }
  lines.push('  },', '},');
  const configured = result.findings.filter((f) => f.dependsOnConfig !== undefined);
  if (configured.length > 0) {
    lines.push('', 'Depends on the configuration the adapter\'s create gave the pool:');
    for (const f of configured) lines.push(...wrap(`${f.field}: ${f.dependsOnConfig}`, '  - ', '    '));
  }
  const open = result.findings.filter((f) => f.alsoFits !== undefined);
  if (open.length > 0) {
    lines.push('', 'Not told apart by any probe (these predict the same for this pool):');
    for (const f of open) lines.push(...wrap(`${f.field}: ${literal(f.value)}, or ${f.alsoFits!.map(literal).join(', ')}`, '  - ', '    '));
  }
  lines.push('');
  if (result.contradictions.length === 0) lines.push('Contradictions: none; every field has a value that fits every probe.');
  else {
    lines.push(`Contradictions: ${result.contradictions.length}. No value of these fields fits what the pool did: a bug in the pool, or a behaviour the vocabulary lacks.`);
    for (const c of result.contradictions) lines.push(...wrap(`${c.field} (probe src/infer/probes/${c.probe}.ts): ${c.observation}`, '  - ', '    '));
  }
  if (result.skipped.length > 0) {
    lines.push(...wrap(`Not probed: ${result.skipped.map((k) => `${k.fields.join(', ')} (relies on ${k.needs.join(' and ')})`).join('; ')}.`, '', '  '));
  }
  if (result.declared !== null) lines.push('', ...formatAudit(auditDifferences(result)));
  lines.push('', formatConfirmation(result));
  return lines.join('\n');
}

/**
 * Where the adapter's own declaration differs from what infer found, over the fields infer
 * settled: a field with no value that fits, or not probed, holds only a neutral default.
 */
export function auditDifferences(result: InferResult): Difference[] {
  if (result.declared === null) return [];
  const open = new Set([...result.contradictions.flatMap((c) => c.field.split(', ')), ...result.skipped.flatMap((k) => k.fields)]);
  return differences(result.declared, result.semantics).filter((d) => !open.has(d.field));
}

function formatAudit(diffs: readonly Difference[]): string[] {
  if (diffs.length === 0) return ['Audit: the adapter\'s own declaration matches, field for field, wherever infer found a value.'];
  return [`Audit: the adapter's own declaration differs in ${diffs.length} field(s):`, ...diffs.map((d) => `  - ${d.field}: declared ${literal(d.declared)}, inferred ${literal(d.inferred)}`)];
}

function formatConfirmation(result: InferResult): string {
  const c = result.confirmation;
  if (c === null) return result.contradictions.length > 0 ? 'Confirmation: skipped, since the declaration has fields no value fits.' : 'Confirmation: skipped.';
  if (c.passed) return `Confirmed: check() of this declaration passed ${c.runs} runs (seed ${c.seed}).`;
  return `NOT CONFIRMED: check() of this declaration failed (seed ${c.seed}): ${c.violation ?? 'see check'}`;
}

function evidenceOf(f: Finding): string {
  return f.evidence;
}

/** A value as TypeScript source: single-quoted strings, objects on one line. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }`;
}

function wrap(text: string, first: string, rest = first): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = first;
  for (const word of words) {
    const prefix = lines.length === 0 ? first : rest;
    if (line.length > prefix.length && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = rest + word;
    } else line = line.length > prefix.length ? `${line} ${word}` : `${line}${word}`;
  }
  lines.push(line);
  return lines;
}

/** The JSON a tool reads: schema `poolcheck/infer@1`. */
export const INFER_SCHEMA = 'poolcheck/infer@1';

export interface InferJson {
  readonly schema: typeof INFER_SCHEMA;
  readonly adapter: string;
  readonly semantics: Semantics;
  readonly findings: InferResult['findings'];
  readonly contradictions: InferResult['contradictions'];
  readonly skipped: InferResult['skipped'];
  readonly declared: Semantics | null;
  readonly differences: readonly Difference[] | null;
  readonly confirmation: InferResult['confirmation'];
}

export function inferToJson(result: InferResult): InferJson {
  return {
    schema: INFER_SCHEMA,
    adapter: result.adapter,
    semantics: result.semantics,
    findings: result.findings,
    contradictions: result.contradictions,
    skipped: result.skipped,
    declared: result.declared,
    differences: result.declared === null ? null : auditDifferences(result),
    confirmation: result.confirmation,
  };
}
