import { defineConfig } from 'vitest/config';
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

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts', 'src/**/*.test.ts'],
    reporters: ['default', plainSummary],
    // Properties drive fake clocks; a vitest timeout here means a bug in the harness,
    // since hangs of the pool under test are reported as property failures first.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
