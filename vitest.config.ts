import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends the output with one plain line, "Tests: N passed, N failed, N skipped", which any CI reads
 * the same way, whatever it knows of vitest's own summary.
 */
const plainSummary: Reporter = {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    process.stdout.write(`\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  },
};

// `npm run test:pg` sets POOLCHECK_SUITE=postgres: the real-server suite in properties/postgres/
// alone, after its set-up has found (or started) a server. `npm run docs:check` sets
// POOLCHECK_SUITE=api-docs: the API reference against a fresh TypeDoc run, which costs more CPU
// than any other file and checks docs, not poolcheck, so CI runs it after `npm test`. Plain
// `npm test` leaves both out.
const suite = process.env['POOLCHECK_SUITE'];
const postgresSuite = suite === 'postgres';
const apiDocs = 'properties/api-docs.test.ts';

export default defineConfig({
  // The docs' examples import poolcheck by its package name, as a user's code does: from the sources.
  resolve: {
    alias: [
      { find: /^poolcheck\/vitest$/, replacement: fileURLToPath(new URL('./src/vitest.ts', import.meta.url)) },
      { find: /^poolcheck$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: postgresSuite ? ['properties/postgres/**/*.test.ts', 'properties/asyncpg/**/*.test.ts'] : suite === 'api-docs' ? [apiDocs] : ['properties/**/*.test.ts', 'src/**/*.test.ts', 'docs/examples/**/*.test.ts'],
    exclude: postgresSuite || suite === 'api-docs' ? configDefaults.exclude : [...configDefaults.exclude, 'properties/postgres/**', 'properties/asyncpg/**', apiDocs],
    globalSetup: postgresSuite ? ['properties/postgres/support/server-setup.ts'] : [],
    // The real-server files mostly wait on the server, not the CPU: run three at once. The default
    // suite runs two files at once: vitest's default on two cores is one (cores - 1), which leaves
    // a core idle while a file imports pg-mem or waits on a child process.
    maxWorkers: postgresSuite ? 3 : 2,
    // Files share their worker's module cache instead of importing pg-mem, fast-check and the
    // harness afresh each (that import was most of the suite's CPU). Every file that installs a
    // fake clock uninstalls it in afterEach, and the pg-mem database is restored for every run.
    isolate: false,
    reporters: ['default', plainSummary],
    // Properties drive fake clocks; a vitest timeout here means a bug in the harness,
    // since hangs of the pool under test are reported as property failures first.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
