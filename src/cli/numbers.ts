import { UsageError } from './usage.js';

/** Flag values that must be numbers, with errors that say which flag and what it takes. */
export function wholeNumber(flag: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new UsageError(`${flag} takes a whole number >= ${min}, got '${raw}'`);
  return n;
}

export function integer(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} takes an integer, got '${raw}'`);
  return n;
}

/**
 * A seed: fast-check takes a signed 32-bit integer and silently wraps any other, which would run
 * a different seed than the one typed and printed.
 */
export function seedValue(flag: string, raw: string): number {
  const n = integer(flag, raw);
  if (n < -0x80000000 || n > 0x7fffffff) throw new UsageError(`${flag} takes a signed 32-bit integer (-2147483648 to 2147483647), got '${raw}'`);
  return n;
}

/**
 * Joins a negative number to the option before it (`--seed -5` becomes `--seed=-5`): Node's
 * argument parser refuses a value starting with a dash as ambiguous, and half of all seeds are
 * negative.
 */
export function joinNegativeValues(argv: readonly string[], valued: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (valued.has(a) && next !== undefined && /^-\d+$/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}
