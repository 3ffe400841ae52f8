#!/usr/bin/env node
// `npm test`: the typecheck and the lint, side by side (each uses one core), then vitest, whose
// last line stays the plain "Tests: ..." summary CI reads. Arguments go to vitest. Stops before
// vitest if the typecheck or the lint fails, as `typecheck && lint && vitest` would.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(args, buffered) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(npm, args, { stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (buffered) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? 1 : 128), output, seconds: (performance.now() - started) / 1000 }));
  });
}

const checks = await Promise.all(['typecheck', 'lint'].map(async (name) => ({ name, ...(await run(['run', '--silent', name], true)) })));
// Each part's wall time, so a slow suite shows which part grew.
for (const c of checks) process.stdout.write(`${c.name}: ${c.code === 0 ? 'ok' : `failed (exit ${c.code})`} in ${c.seconds.toFixed(1)} s\n${c.output}`);
const failed = checks.find((c) => c.code !== 0);
if (failed !== undefined) process.exitCode = failed.code;
else process.exitCode = (await run(['exec', '--', 'vitest', 'run', ...process.argv.slice(2)], false)).code;
