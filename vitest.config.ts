import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.test.ts', 'src/**/*.test.ts'],
    // Properties drive fake clocks; a vitest timeout here means a bug in the harness,
    // since hangs of the pool under test are reported as property failures first.
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
