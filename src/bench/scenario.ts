/**
 * The seed scenario against real time: its two rows cover twice `samples × interval` of virtual
 * time. Timed in this process (warm) and through the CLI as a user runs it (a fresh node, start-up
 * included), against `node -e 0` and `poolcheck --version` for the start-up alone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { ownPoolAdapter } from '../adapters/own.js';
import { runSeedScenario } from '../scenario/index.js';
import { median } from './stats.js';

const VIRTUAL_MS = 2 * 10 * 1000;
/** The CLI's code cache for pg-mem, which the fresh processes below turn on as the CLI does. */
const COMPILE_CACHE = new URL('../connectors/compile-cache.js', import.meta.url).href;

export async function benchScenario(rounds: number): Promise<void> {
  console.log(`the seed scenario (own pool, 2 rows of 10 s virtual): ${rounds} rounds`);
  const warm: number[] = [];
  for (let i = 0; i < rounds + 3; i++) {
    const started = performance.now();
    await runSeedScenario(ownPoolAdapter());
    if (i >= 3) warm.push(performance.now() - started);
  }
  console.log(`  in process, warm        ${median(warm).toFixed(1)} ms: ${Math.round(VIRTUAL_MS / median(warm))}x faster than real time`);
  const main = new URL('../cli/main.js', import.meta.url).href;
  const cli = (args: string[]): string[] => ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(${JSON.stringify(args)});`];
  // A fresh node that only loads pg-mem: the floor of any CLI run over the default connector,
  // once compiled afresh and once from the code cache the CLI keeps (connectors/compile-cache.ts).
  const pgMem = createRequire(import.meta.url).resolve('pg-mem');
  const cachedPgMem = `const c = await import(${JSON.stringify(COMPILE_CACHE)}); const { createRequire } = await import('node:module'); c.useCompileCache(); c.requireCompiled(createRequire(import.meta.url), ${JSON.stringify(pgMem)});`;
  // The bench's own cache directory, filled by one untimed run of each: the rows below compare a
  // warm cache, as every run after a user's first has, with none.
  const cacheDir = mkdtempSync(join(tmpdir(), 'poolcheck-bench-cache-'));
  const cached = { ...process.env, POOLCHECK_COMPILE_CACHE: cacheDir };
  const uncached = { ...process.env, POOLCHECK_DISABLE_COMPILE_CACHE: '1' };
  const runs: Record<string, [string[], NodeJS.ProcessEnv]> = {
    'node -e 0': [['-e', '0'], uncached],
    'node + pg-mem alone': [['-e', `require(${JSON.stringify(pgMem)})`], uncached],
    'node + cached pg-mem': [['--input-type=module', '-e', cachedPgMem], cached],
    'poolcheck --version': [cli(['--version']), cached],
    'scenario, no code cache': [cli(['scenario', 'seed']), uncached],
    'poolcheck scenario seed': [cli(['scenario', 'seed']), cached],
  };
  const times = new Map<string, number[]>(Object.keys(runs).map((k) => [k, []]));
  try {
    for (const [args, env] of Object.values(runs)) execFileSync(process.execPath, args, { stdio: 'pipe', env });
    for (let i = 0; i < rounds; i++) {
      for (const [name, [args, env]] of Object.entries(runs)) {
        const started = performance.now();
        execFileSync(process.execPath, args, { stdio: 'pipe', env });
        times.get(name)!.push(performance.now() - started);
      }
    }
    report(times);
    await phases(rounds, cached);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function report(times: Map<string, number[]>): void {
  const node = median(times.get('node -e 0')!);
  for (const [name, ms] of times) console.log(`  ${name.padEnd(24)}${median(ms).toFixed(0)} ms${name === 'node -e 0' ? ' (node alone)' : `, ${(median(ms) - node).toFixed(0)} ms beyond node alone`}`);
  const scenario = median(times.get('poolcheck scenario seed')!);
  console.log(`  through the CLI          ${Math.round(VIRTUAL_MS / scenario)}x faster than real time, start-up included (target >= 100x)`);
  const floor = median(times.get('node + cached pg-mem')!);
  console.log(`  the floor                ${Math.round(VIRTUAL_MS / floor)}x: what a fresh node that only loads pg-mem, from the code cache, would reach; poolcheck's own share is ${(scenario - floor).toFixed(0)} ms`);
}

/**
 * Where a fresh process's time goes: node's own start, importing the scenario command, and its
 * first (cold) run, which loads the adapter and builds pg-mem's database. What the cold run costs
 * beyond the warm one is compilation and first-use set-up, not the scenario's work.
 */
async function phases(rounds: number, env: NodeJS.ProcessEnv): Promise<void> {
  const command = new URL('../cli/scenario.js', import.meta.url).href;
  const script = [
    'const boot = performance.now();',
    `(await import(${JSON.stringify(COMPILE_CACHE)})).useCompileCache();`,
    `const { runScenario } = await import(${JSON.stringify(command)});`,
    'const imported = performance.now();',
    'const write = process.stdout.write;',
    'process.stdout.write = () => true;',
    "await runScenario(['seed']);",
    'const cold = performance.now();',
    "await runScenario(['seed']);",
    'const warm = performance.now();',
    'process.stdout.write = write;',
    'console.log(JSON.stringify({ boot, imports: imported - boot, cold: cold - imported, warm: warm - cold }));',
  ].join(' ');
  const samples: Record<'boot' | 'imports' | 'cold' | 'warm', number[]> = { boot: [], imports: [], cold: [], warm: [] };
  for (let i = 0; i < rounds; i++) {
    const p = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env })) as Record<keyof typeof samples, number>;
    for (const k of Object.keys(samples) as (keyof typeof samples)[]) samples[k].push(p[k]);
  }
  const ms = (k: keyof typeof samples): string => `${median(samples[k]).toFixed(0)} ms`;
  console.log(`  a fresh process, split   node start ${ms('boot')}, importing the scenario command ${ms('imports')}, its first run ${ms('cold')} (the same run warm: ${ms('warm')})`);
}
