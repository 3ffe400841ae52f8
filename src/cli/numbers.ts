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
