import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { COMMAND_USAGE, USAGE } from '../src/cli/usage.js';
import { parseReply } from '../src/remote/protocol.js';
import { cli } from './support/cli.js';
import { docBlocks, fileExcerpt, normaliseOutput, shellWords, type DocBlock } from './support/doc-blocks.js';

/*
 * Examples that cannot go stale: every fenced block in README.md and docs/*.md says how it is
 * checked, with a marker on the line before it, and is checked here.
 *
 *   <!-- poolcheck:output ARGS -->       the output of `poolcheck ARGS`, run in-process, compared
 *   <!-- poolcheck:output-report ARGS --> the same, up to the summary table
 *   <!-- poolcheck:output-json ARGS -->  the JSON that `poolcheck ARGS --json -` prints, compared
 *   <!-- poolcheck:file PATH[#REGION] --> the file itself (or a `// #region`), which `npm test`
 *                                        type-checks, lints and, for a test file, runs
 *   <!-- poolcheck:shell -->             commands: each npm script exists, each poolcheck
 *                                        command and flag is in its usage, each script file exists
 *   <!-- poolcheck:usage -->             lines of `poolcheck help`
 *   <!-- poolcheck:workflow -->          a CI workflow, its `run: npm|npx` commands checked as shell
 *   <!-- poolcheck:bridge-replies -->    lines a bridge may send, each accepted by poolcheck's parser
 *   <!-- poolcheck:messages -->          violation messages: each word of them (not the values)
 *                                        is in the strings of src/
 *   <!-- poolcheck:diagram -->           a picture, not code or output
 *
 * POOLCHECK_UPDATE_DOCS=1 rewrites the output blocks with what the code prints now.
 */

afterEach(() => uninstallAllClocks());

const PAGES = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const UPDATE = process.env['POOLCHECK_UPDATE_DOCS'] === '1';
const SCRIPTS = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const KINDS = ['output', 'output-report', 'output-json', 'file', 'shell', 'usage', 'workflow', 'bridge-replies', 'messages', 'diagram'];
const COMMANDS = ['check', 'fuzz', 'scenario', 'replay', 'infer', 'help'];
const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

const blocks = PAGES.flatMap((page) => docBlocks(page));
/** Rewrites, page by page, applied after the blocks of a page are all checked. */
const rewrites = new Map<string, { block: DocBlock; body: string }[]>();

function where(block: DocBlock): string {
  return `${block.file}:${block.line}`;
}

async function printed(block: DocBlock): Promise<string> {
  const run = await cli(...shellWords(block.args));
  if (block.kind === 'output') return run.out;
  if (block.kind === 'output-report') return run.out.split(/^adapter +property/m)[0]!.trimEnd();
  const json = run.out.startsWith('{\n') ? -1 : run.out.indexOf('\n{\n');
  if (json < 0 && !run.out.startsWith('{\n')) throw new Error(`${where(block)}: poolcheck ${block.args} printed no JSON`);
  return run.out.slice(json + 1);
}

/** One command of a shell block; what is wrong with it, or null. */
function checkCommand(words: string[]): string | null {
  while (/^[A-Z_]+=/.test(words[0] ?? '')) words.shift();
  const [first, second, ...rest] = words;
  if (first === undefined) return null;
  if (first === 'npm') {
    if (second === 'ci' || second === 'test' || second === 'install') return null;
    if (second === 'run') {
      const [script, dashes, ...args] = rest;
      if (script === undefined || SCRIPTS[script] === undefined) return `npm run ${script ?? ''}: package.json has no such script`;
      if (dashes === '--' && (script === 'check' || script === 'fuzz')) return checkPoolcheck([script, ...args]);
      return null;
    }
    return `npm ${second ?? ''}: not a command these docs use`;
  }
  if (first === 'npx' && second === 'poolcheck') return checkPoolcheck(rest);
  if (first === 'npx' && second === 'vitest') return null;
  if (first === 'poolcheck') return checkPoolcheck(words.slice(1));
  if (first === 'bash' && second !== undefined) return existsSync(second) ? null : `${second} does not exist`;
  if (first.startsWith('scripts/')) return existsSync(first) ? null : `${first} does not exist`;
  return `'${first}': a command the docs test does not know; check it, or leave it out`;
}

function checkPoolcheck(args: string[]): string | null {
  const [command, ...rest] = args;
  if (command === undefined || !COMMANDS.includes(command)) return `poolcheck ${command ?? ''}: no such command`;
  const usage = COMMAND_USAGE[command] ?? USAGE;
  const unknown = rest.filter((a) => a.startsWith('--') && !usage.includes(a.split('=')[0]!));
  return unknown.length === 0 ? null : `poolcheck ${command}: ${unknown.join(', ')} not in its usage`;
}

function shellProblems(lines: string[]): string[] {
  return lines
    .map((l) => l.replace(/\s+#\s.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .flatMap((l) => l.split(/&&|\|\|/).map((part) => checkCommand(shellWords(part.replace(/\$\([^)]*\)/g, 'X').trim()))))
    .filter((p): p is string => p !== null);
}

describe('docs: every example is checked', () => {
  it('marks every fenced block with how it is checked', () => {
    const unmarked = blocks.filter((b) => b.kind === null || !KINDS.includes(b.kind)).map((b) => `${where(b)} (${b.kind ?? 'no marker'})`);
    expect(unmarked, 'add <!-- poolcheck:KIND ARGS --> before each (kinds in properties/docs.test.ts)').toEqual([]);
  });

  for (const block of blocks.filter((b) => b.kind?.startsWith('output') === true)) {
    it(`${where(block)}: poolcheck ${block.args}`, async () => {
      const out = await printed(block);
      if (UPDATE && normaliseOutput(out) !== normaliseOutput(block.body)) {
        const list = rewrites.get(block.file) ?? [];
        list.push({ block, body: out.endsWith('\n') ? out : `${out}\n` });
        rewrites.set(block.file, list);
        return;
      }
      expect(normaliseOutput(block.body), `${where(block)} differs from what poolcheck prints; POOLCHECK_UPDATE_DOCS=1 rewrites it`).toBe(normaliseOutput(out));
    });
  }

  for (const block of blocks.filter((b) => b.kind === 'file')) {
    it(`${where(block)}: is ${block.args}`, () => {
      expect(block.body, `${where(block)} must be exactly ${block.args}`).toBe(fileExcerpt(block.args));
    });
  }

  it('runs only commands, scripts and flags that exist', () => {
    const problems = blocks.flatMap((b) => {
      if (b.kind === 'shell') return shellProblems(b.body.split('\n')).map((p) => `${where(b)}: ${p}`);
      // A workflow's npm and poolcheck steps; its shell plumbing (mkdir, git, xargs) is the CI's own.
      if (b.kind === 'workflow') return shellProblems([...b.body.matchAll(/run: (np[mx] .*)$/gm)].map((m) => m[1]!)).map((p) => `${where(b)}: ${p}`);
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('shows usage lines that poolcheck help prints', () => {
    const usage = collapse([USAGE, ...Object.values(COMMAND_USAGE)].join('\n'));
    const missing = blocks.filter((b) => b.kind === 'usage').flatMap((b) => b.body.split('\n').filter((l) => l.trim() !== '' && !usage.includes(collapse(l))).map((l) => `${where(b)}: ${l.trim()}`));
    expect(missing).toEqual([]);
  });

  it('shows bridge replies that poolcheck accepts', () => {
    const refused = blocks
      .filter((b) => b.kind === 'bridge-replies')
      .flatMap((b) => b.body.split('\n').filter((l) => l.trim() !== '').map((l) => ({ b, problem: parseReply(l) })))
      .filter(({ problem }) => typeof problem === 'string')
      .map(({ b, problem }) => `${where(b)}: ${String(problem)}`);
    expect(refused).toEqual([]);
  });

  it('catches a block that differs, or has no marker', () => {
    const page = '<!-- poolcheck:file docs/examples/quickstart/my-pool.poolcheck.test.ts -->\n```ts\nstale\n```\n\n```sh\nnpm test\n```\n';
    const [stale, unmarked] = docBlocks('page.md', page);
    expect(stale!.body).not.toBe(fileExcerpt(stale!.args));
    expect(unmarked!.kind).toBeNull();
    expect(shellProblems(['npm run no-such-script', 'npx poolcheck check --no-such-flag'])).toHaveLength(2);
    expect(normaliseOutput('x: passed after 5 run(s), 2 commands in 0.31 s')).toBe(normaliseOutput('x: passed after 5 run(s), 2 commands in 12.5 s'));
    expect(normaliseOutput('passed after 5 run(s)')).not.toBe(normaliseOutput('passed after 6 run(s)'));
    expect(normaliseOutput('a  verdict  wall\n-  -------  ------\nx  pass     0.72 s')).toBe(normaliseOutput('a  verdict  wall\n-  -------  -------\nx  pass     10.72 s'));
    expect(normaliseOutput('a  wall\n-  ------')).not.toBe(normaliseOutput('a  wall\n-  ------  ----'));
  });
});

/** The words of every string in src/, whitespace collapsed, where a message's fixed parts are found. */
function sourceText(): string {
  const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  return collapse(files.map((f) => readFileSync(`src/${f}`, 'utf8')).join(' '));
}

/**
 * The words of a printed message that are not values: a message whose wording poolcheck no longer
 * uses has a word no string of src/ contains. (Values are left out: numbers, ids, quoted names.)
 */
function fixedParts(message: string): string[] {
  return [...new Set(collapse(message).split(' ').filter((w) => /^[a-z][a-z-]{3,}[,;:.)]?$/i.test(w)).map((w) => w.replace(/[,;:.)]$/, '')))];
}

describe('docs: violation messages', () => {
  const source = sourceText();
  for (const block of blocks.filter((b) => b.kind === 'messages')) {
    it(`${where(block)}: every word is one poolcheck's messages use`, () => {
      expect(fixedParts(block.body).filter((part) => !source.includes(part))).toEqual([]);
    });
  }
  it('catches a message that poolcheck does not print', () => {
    expect(fixedParts('connection #1 was destroyed at 1 ms, but it was in use').every((p) => source.includes(p))).toBe(true);
    expect(fixedParts('connection #1 was vaporised at 1 ms by gremlins').every((p) => source.includes(p))).toBe(false);
  });
});

describe.runIf(UPDATE)('docs: rewriting the output blocks', () => {
  it('writes what poolcheck prints now', () => {
    for (const [file, list] of rewrites) {
      let text = readFileSync(file, 'utf8');
      for (const { block, body } of [...list].sort((a, b) => b.block.start - a.block.start)) text = text.slice(0, block.start) + body + text.slice(block.end);
      writeFileSync(file, text);
    }
  });
});
