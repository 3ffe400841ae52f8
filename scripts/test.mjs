#!/usr/bin/env node
// `npm test`: the typecheck and the lint each use one core, and vitest two, so they run side by
// side rather than one after the other. vitest's output streams; the typecheck's and the lint's
// are printed once they finish, each under its name. Exits non-zero if any of the three failed.
import { spawn } from 'node:child_process';

const steps = [
  { name: 'typecheck', args: ['run', '--silent', 'typecheck'], buffered: true },
  { name: 'lint', args: ['run', '--silent', 'lint'], buffered: true },
  { name: 'vitest', args: ['exec', '--', 'vitest', 'run', ...process.argv.slice(2)], buffered: false },
];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const results = await Promise.all(
  steps.map(
    (step) =>
      new Promise((resolve) => {
        const child = spawn(npm, step.args, { stdio: step.buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
        let output = '';
        if (step.buffered) {
          child.stdout.on('data', (d) => (output += d));
          child.stderr.on('data', (d) => (output += d));
        }
        child.on('close', (code, signal) => resolve({ ...step, code: code ?? (signal === null ? 1 : 128), output }));
      }),
  ),
);
for (const r of results.filter((r) => r.buffered)) {
  process.stdout.write(`\n${r.name}: ${r.code === 0 ? 'ok' : `failed (exit ${r.code})`}\n${r.output}`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
if (failed.length > 0) process.stdout.write(`\nnpm test: ${failed.join(', ')} failed\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
