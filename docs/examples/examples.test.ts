import { expect, it } from 'vitest';

// The examples that are scripts, not tests, run here: an example that throws fails this test.
it('runs the own pool example to its end', async () => {
  await expect(import('./own-pool.js')).resolves.toBeDefined();
});
