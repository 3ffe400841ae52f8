#!/usr/bin/env node
// Replays a saved case of 100,000 steps (or argv[2]) with both timelines through the built CLI and
// prints the wall time and peak memory: the long-trace check too slow for `npm test`, which
// tests 1,500 steps end to end and the timelines at 100,000. Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const n = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'poolcheck-long-trace-'));
const base = JSON.parse(readFileSync(new URL('../fixtures/regressions/own/0141ac44d318.json', import.meta.url), 'utf8'));
const cycle = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'sleep', ms: 1 }];
const steps = Array.from({ length: n }, (_, i) => cycle[i % 3]);
const file = join(dir, 'long.json');
// A lifetime longer than the run, so connection #1 lives throughout and every release applies.
writeFileSync(file, JSON.stringify({ ...base, config: { minSize: 0, maxSize: 1, lifetimeMs: 10 * n }, steps, expect: { verdict: 'pass' } }));
const started = performance.now();
const replay = [process.execPath, new URL('../bin/poolcheck.js', import.meta.url).pathname, 'replay', file, '--html', join(dir, 'long.html')];
// GNU time, where there is one, reports the peak memory (KB) as the last line of stderr.
const timed = existsSync('/usr/bin/time');
const run = spawnSync(timed ? '/usr/bin/time' : replay[0], timed ? ['-f', '%M', ...replay] : replay.slice(1), { encoding: 'utf8', maxBuffer: 64 << 20 });
const secs = (performance.now() - started) / 1000;
const out = run.stdout;
const verdict = out.split('\n').find((l) => l.startsWith('Expectation'));
const peak = timed ? `, peak ${Math.round(Number(run.stderr.trim().split('\n').at(-1)) / 1024)} MB` : '';
process.stdout.write(`${n} steps: exit ${run.status}, ${secs.toFixed(1)} s${peak}, ${out.split('\n').length} lines of text, ${readFileSync(join(dir, 'long.html')).length} bytes of HTML\n${verdict}\n`);
process.exitCode = run.status ?? 1;
