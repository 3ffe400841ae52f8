import { createHash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted at every level, no whitespace. Two values that mean the
 * same give the same text, whatever order their keys were written in, so it can be hashed.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The first 12 hex digits of the SHA-256 of the canonical JSON: short, and collisions are checked. */
export function shortHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}

/**
 * JSON for a file people review like code: keys in the order they were built, and any object or
 * array that holds no other and fits on a line kept on one line, so each step is one line of a
 * diff.
 */
export function formatJson(value: unknown, indent = ''): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  const entries: [string | null, unknown][] = Array.isArray(value) ? value.map((v: unknown) => [null, v]) : Object.entries(value).filter(([, v]) => v !== undefined);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return `${open}${close}`;
  const key = (k: string | null): string => (k === null ? '' : `${JSON.stringify(k)}: `);
  const flat = entries.every(([, v]) => typeof v !== 'object' || v === null);
  if (flat) {
    const line = `${open}${Array.isArray(value) ? '' : ' '}${entries.map(([k, v]) => `${key(k)}${JSON.stringify(v)}`).join(', ')}${Array.isArray(value) ? '' : ' '}${close}`;
    if (indent.length + line.length <= 110) return line;
  }
  const inner = `${indent}  `;
  return `${open}\n${entries.map(([k, v]) => `${inner}${key(k)}${formatJson(v, inner)}`).join(',\n')}\n${indent}${close}`;
}
