import { readFileSync } from 'node:fs';

/**
 * A fenced block of a Markdown page, with the marker comment that says how it is checked:
 * `<!-- poolcheck:KIND ARGS -->` on the line before the fence.
 */
export interface DocBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly kind: string | null;
  readonly args: string;
  readonly body: string;
  /** Offsets of the body in the page, to rewrite it. */
  readonly start: number;
  readonly end: number;
}

const MARKER = /^<!-- poolcheck:(\S+)\s*(.*?)\s*-->$/;

/** Every fenced block of a page, with its marker, if any. */
export function docBlocks(file: string, text = readFileSync(file, 'utf8')): DocBlock[] {
  const blocks: DocBlock[] = [];
  const lines = text.split('\n');
  let offset = 0;
  let open: { line: number; lang: string; marker: RegExpExecArray | null; start: number; fence: string } | null = null;
  let previous = '';
  for (const [i, line] of lines.entries()) {
    const lineEnd = offset + line.length + 1;
    const fence = /^(`{3,})(.*)$/.exec(line);
    if (open === null && fence !== null) {
      open = { line: i + 1, lang: fence[2]!.trim(), marker: MARKER.exec(previous.trim()), start: lineEnd, fence: fence[1]! };
    } else if (open !== null && line === open.fence) {
      blocks.push({
        file,
        line: open.line,
        lang: open.lang,
        kind: open.marker?.[1] ?? null,
        args: open.marker?.[2] ?? '',
        body: text.slice(open.start, offset),
        start: open.start,
        end: offset,
      });
      open = null;
    }
    if (line.trim() !== '') previous = line;
    offset = lineEnd;
  }
  return blocks;
}

/** Splits a command line as a shell would, for the quoting the docs use ('...' and "..."). */
export function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * What varies from one run of the same seed to the next: wall-clock time. Everything else a
 * command prints is compared as is (runs of spaces collapsed, since a wider time widens a column).
 */
export function normaliseOutput(text: string): string {
  return text
    .replace(/ in \d+(?:\.\d+)? (?:ms|s|min)\b/g, ' in <wall>')
    .replace(/^(.*\s(?:pass\*?|FAIL|fail|n\/a)\s.*\s)\d+(?:\.\d+)? (?:ms|s|min)$/gm, '$1<wall>')
    .replace(/"wallMs": \d+/g, '"wallMs": <wall>')
    // A table's rule follows its widest cell, and the wall column's width follows the load.
    .replace(/^[- ]*-{3,}[- ]*$/gm, (rule) => rule.replace(/-+/g, '---'))
    .replace(/ +/g, ' ')
    .trimEnd();
}

/** The text between `// #region NAME` and `// #endregion` in a file, or the whole file. */
export function fileExcerpt(path: string): string {
  const [file, region] = path.split('#') as [string, string | undefined];
  const text = readFileSync(file, 'utf8');
  if (region === undefined) return text;
  const lines = text.split('\n');
  const from = lines.findIndex((l) => l.trim() === `// #region ${region}`);
  const to = lines.findIndex((l, i) => i > from && l.trim() === '// #endregion');
  if (from < 0 || to < 0) throw new Error(`${file} has no region '${region}' (// #region ${region} ... // #endregion)`);
  return `${lines.slice(from + 1, to).join('\n')}\n`;
}
