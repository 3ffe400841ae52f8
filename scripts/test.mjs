#!/usr/bin/env node
// `npm test`: the typecheck, the lint and vitest, all started at once. On two cores the typecheck
// and the lint each keep one core busy for a few seconds, while vitest spends its first seconds
// starting up and its last ones with one worker idle: run side by side they fill each other's gaps
// instead of vitest waiting for both. Each check's output is printed when it ends; a failed
// check's output is printed again after vitest's, so it is not lost above the test report, and the
// exit code is the first failure's. The last line stays the plain "Tests: ..." summary CI reads.
// Arguments go to vitest.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// vitest's output goes through a pipe: keep its colours when ours is a terminal.
const env = process.stdout.isTTY && process.env['NO_COLOR'] === undefined ? { ...process.env, FORCE_COLOR: '1' } : process.env;

function run(args, onOutput) {
  return new Promise((resolve) => {
    const child = spawn(npm, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.on('data', (d) => onOutput(d, 'stdout'));
    child.stderr.on('data', (d) => onOutput(d, 'stderr'));
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

let tail = '';
let printedAfterVitest = false;
let vitestDone = false;
const vitest = run(['exec', '--', 'vitest', 'run', ...process.argv.slice(2)], (d, stream) => {
  process[stream].write(d);
  if (stream === 'stdout') tail = (tail + String(d)).slice(-4096);
}).then((code) => ((vitestDone = true), code));

const checks = ['typecheck', 'lint'].map(async (name) => {
  let output = '';
  const code = await run(['run', '--silent', name], (d) => (output += d));
  process.stdout.write(`${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`}\n${output}`);
  printedAfterVitest ||= vitestDone;
  return { name, code, output };
});

const [testCode, ...results] = await Promise.all([vitest, ...checks]);
for (const c of results.filter((r) => r.code !== 0)) process.stdout.write(`\n${c.name} failed (exit ${c.code}):\n${c.output}`);
const summary = tail.split('\n').filter((line) => line.startsWith('Tests: ')).at(-1);
if (summary !== undefined && (results.some((r) => r.code !== 0) || printedAfterVitest)) process.stdout.write(`\n${summary}\n`);
process.exitCode = results.find((r) => r.code !== 0)?.code ?? testCode;
