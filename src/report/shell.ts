/**
 * One word for a POSIX shell: as it is when it holds only characters no shell treats specially,
 * else in single quotes (a quote inside written as '\''). Rerun lines are pasted into shells, so
 * every value in them goes through here.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A command line from its words, each quoted as {@link shellWord} does. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
