import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Application, LogLevel } from 'typedoc';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * docs/api/ is generated from the TSDoc of the public doors (src/index.ts, src/vitest.ts) by
 * `npm run docs:api` and committed, so it can be read where the code is. This regenerates it into
 * a temporary folder and compares: a public change without `npm run docs:api` fails here.
 */

const out = mkdtempSync(join(tmpdir(), 'poolcheck-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function files(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    found.set(relative(dir, path), readFileSync(path, 'utf8'));
  }
  return found;
}

describe('the API reference', () => {
  it('is what the TSDoc generates now (npm run docs:api rewrites it)', async () => {
    const app = await Application.bootstrapWithPlugins({ options: 'typedoc.json', out, logLevel: LogLevel.Error });
    const project = await app.convert();
    expect(project, 'TypeDoc could not read the sources').toBeDefined();
    await app.generateOutputs(project!);
    const fresh = files(out);
    const committed = files('docs/api');
    expect([...committed.keys()].sort(), 'the files of docs/api').toEqual([...fresh.keys()].sort());
    for (const [name, text] of fresh) expect(committed.get(name), `docs/api/${name} is stale: run npm run docs:api`).toBe(text);
  }, 120_000);
});
