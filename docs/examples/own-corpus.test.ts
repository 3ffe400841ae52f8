import { readdir } from 'node:fs/promises';
import { it, expect } from 'vitest';
import { verifyCaseFile } from 'poolcheck';

const corpus = 'fixtures/regressions/own';
for (const file of (await readdir(corpus, { recursive: true })).filter((f) => f.endsWith('.json'))) {
  it(file, async () => {
    const replayed = await verifyCaseFile(`${corpus}/${file}`); // readCaseFile, then replayCase
    expect(replayed.holds, replayed.explanation).toBe(true);
  });
}
