import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { uninstallAllClocks } from '../src/clock/fake.js';
import { cli } from './support/cli.js';

afterEach(() => uninstallAllClocks());

/*
 * The sessions in docs/infer.md are generated: each `<!-- poolcheck:output ARGS -->` block there is
 * what `poolcheck ARGS` prints, run here in-process and compared. POOLCHECK_UPDATE_DOCS=1 rewrites
 * them with what the code prints now.
 */
const PAGE = 'docs/infer.md';
const BLOCK = /<!-- poolcheck:output (.+?) -->\n```\n([\s\S]*?)\n```/g;

describe(`the infer sessions in ${PAGE}`, () => {
  const text = readFileSync(PAGE, 'utf8');
  const blocks = [...text.matchAll(BLOCK)].map((m) => ({ args: m[1]!, shown: m[2]! }));

  it('has sessions to check', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  for (const block of blocks) {
    it(`shows what poolcheck ${block.args} prints`, async () => {
      const run = await cli(...block.args.split(' '));
      expect(run.code).toBe(0);
      const printed = run.out.trimEnd();
      if (process.env['POOLCHECK_UPDATE_DOCS'] === '1') {
        const current = readFileSync(PAGE, 'utf8');
        writeFileSync(PAGE, current.replace(`<!-- poolcheck:output ${block.args} -->\n\`\`\`\n${block.shown}\n\`\`\``, `<!-- poolcheck:output ${block.args} -->\n\`\`\`\n${printed}\n\`\`\``));
        return;
      }
      expect(printed).toBe(block.shown);
    });
  }
});
