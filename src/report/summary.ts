import type { CheckResult } from '../runner/check.js';
import { PROPERTIES, propertyOf } from '../runner/properties.js';
import type { Semantics } from '../model/semantics.js';

/** One row per adapter and property: pass or fail, runs, commands, virtual time and wall time. */
export function formatSummary(results: readonly { result: CheckResult; semantics: Semantics }[]): string {
  const rows: string[][] = [['adapter', 'property', 'verdict', 'runs', 'commands', 'virtual', 'wall']];
  for (const { result, semantics } of results) {
    const broken = result.failure === null ? null : propertyOf(result.failure.violation.kind).id;
    for (const property of PROPERTIES) {
      const applies = property.appliesTo?.(semantics) ?? true;
      const verdict = !applies ? 'n/a' : broken === property.id ? 'FAIL' : broken === null ? 'pass' : 'pass*';
      rows.push([result.adapter, property.title, verdict, String(result.runs), String(result.commands), formatVirtual(result.virtualMs), `${(result.wallMs / 1000).toFixed(2)} s`]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const partial = results.some(({ result }) => result.failure !== null);
  if (partial) lines.push('', 'pass*: held until the run that failed another property; runs stop at the first failure.');
  return lines.join('\n');
}

/** Virtual time in the largest unit that keeps it readable. */
export function formatVirtual(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 2 * 3_600_000) return `${(ms / 1000).toFixed(0)} s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
