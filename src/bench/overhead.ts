/**
 * What poolcheck's checks cost per command: the same saved command lists replayed with every
 * check (model, invariants, answers, end-of-run checks) and by a bare driver with none, in
 * alternating rounds. The ratio of the per-command times is the price of checking.
 */
import { ownPoolAdapter } from '../adapters/own.js';
import type { PoolAdapter } from '../adapters/types.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { Connector } from '../connectors/types.js';
import type { CommandJson } from '../commands/json.js';
import type { PoolConfig } from '../model/semantics.js';
import { keepFakeClockInstalled } from '../clock/fake.js';
import { driveBare } from './bare.js';
import { recordRuns, replayChecked, type SavedRun } from './lists.js';
import { CODE_PARTS, msByPart, ProfilerSession, type CodePart } from './profile.js';
import { bestRatio, median, ratios, StepTimes } from './stats.js';

export interface OverheadOptions {
  readonly lists: number;
  readonly rounds: number;
}

export async function benchOverhead(options: OverheadOptions): Promise<void> {
  const adapter = ownPoolAdapter();
  const saved = await recordRuns(adapter, options.lists, 12);
  const commands = saved.reduce((n, r) => n + r.list.length, 0);
  console.log(`per-command cost against a bare driver: ${saved.length} saved runs of the own pool (${commands} commands), ${options.rounds} alternating rounds`);
  const timed = (replay: (run: SavedRun) => Promise<number>): Promise<{ wall: number; cpu: number }> => timePass(saved, replay);
  const checked = replay(adapter, 'checked');
  const bare = replay(adapter, 'bare');
  const same = await sameWork(adapter, saved);
  console.log(`  the bare driver opened, queried and closed the same connections at the same virtual times as poolcheck in ${same} of ${saved.length} runs`);
  for (let i = 0; i < 3; i++) {
    await timed(checked);
    await timed(bare);
  }
  const each: number[] = [];
  const eachCpu: number[] = [];
  const sides = { checked: [] as { wall: number; cpu: number }[], bare: [] as { wall: number; cpu: number }[] };
  for (let round = 1; round <= options.rounds; round++) {
    const first = round % 2 === 1;
    const a = await timed(first ? checked : bare);
    const b = await timed(first ? bare : checked);
    const [withChecks, without] = first ? [a, b] : [b, a];
    sides.checked.push(withChecks);
    sides.bare.push(without);
    each.push(withChecks.wall / without.wall);
    eachCpu.push(withChecks.cpu / without.cpu);
    console.log(`  round ${round}: ${withChecks.wall.toFixed(1)} µs per command with every check, ${without.wall.toFixed(1)} µs bare: ${each.at(-1)!.toFixed(2)}x (in CPU time: ${eachCpu.at(-1)!.toFixed(2)}x)`);
  }
  console.log(`  checked / bare           ${median(each).toFixed(2)}x per command, the median of the rounds' ratios (${ratios(each)}; target <= 1.5x)`);
  console.log(`  in CPU time              ${median(eachCpu).toFixed(2)}x (${ratios(eachCpu)}): this process's CPU time per command, which a busy machine disturbs less`);
  const best = bestRatio(sides.checked, sides.bare, (x) => x.wall);
  const bestCpu = bestRatio(sides.checked, sides.bare, (x) => x.cpu);
  console.log(`  best rounds              ${best.toFixed(2)}x (in CPU time ${bestCpu.toFixed(2)}x): each side's fastest round against the other's, the rounds other work disturbed least`);
  await byStep(adapter, saved, options.rounds);
  await byPart(adapter, saved, options.rounds);
  await uniform(adapter, options.rounds);
}

type Side = 'checked' | 'bare';

/** A saved run replayed by one side: with every check, or by the bare driver; with `times`, each step timed into it. */
function replay(adapter: PoolAdapter, side: Side, times?: StepTimes): (run: SavedRun) => Promise<number> {
  return (run) => (side === 'checked' ? replayChecked(adapter, run, createPgMemConnector, times) : driveBare(adapter, run.config, run.list, times));
}

/**
 * One pass of `replay` over `runs`, with one fake clock kept installed across them, as check()
 * keeps it. Returns µs per command, of wall time and of this process's CPU time, and the pass's
 * wall time in ms.
 */
async function timePass(runs: readonly SavedRun[], replay: (run: SavedRun) => Promise<number>): Promise<{ wall: number; cpu: number; ms: number }> {
  const commands = runs.reduce((n, r) => n + r.list.length, 0);
  const release = keepFakeClockInstalled();
  try {
    const before = process.cpuUsage();
    const started = performance.now();
    for (const run of runs) await replay(run);
    const ms = performance.now() - started;
    const used = process.cpuUsage(before);
    return { wall: (ms * 1000) / commands, cpu: (used.user + used.system) / commands, ms };
  } finally {
    release();
  }
}

/**
 * Where the difference goes: the same replays again, each step timed on both sides, and what is
 * left of a pass outside its steps (creating each pool, closing it at the end, the end-of-run
 * checks), per run. Apart from the rounds above: timing every step costs a little itself.
 */
async function byStep(adapter: PoolAdapter, saved: readonly SavedRun[], rounds: number): Promise<void> {
  const sides = { checked: new StepTimes(), bare: new StepTimes() };
  const whole = { checked: 0, bare: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (['checked', 'bare'] as const) : (['bare', 'checked'] as const)) {
      const times = sides[side];
      const pass = await timePass(saved, replay(adapter, side, times));
      whole[side] += pass.ms;
    }
  }
  const runs = saved.length * rounds;
  const extra = whole.checked - whole.bare;
  const share = (ms: number): string => (extra > 0 ? `${((100 * ms) / extra).toFixed(0)}%` : '-');
  const row = (name: string, steps: string, checked: number, bare: number, per: number): string =>
    `    ${name.padEnd(20)} ${steps.padStart(7)} ${((checked * 1000) / per).toFixed(1).padStart(9)} ${((bare * 1000) / per).toFixed(1).padStart(7)} ${(checked / bare).toFixed(2).padStart(6)}x ${share(checked - bare).padStart(7)}`;
  console.log(`  by step (${rounds} more passes of each side, every step timed): µs per step with every check and bare, their ratio, and its share of the difference;`);
  console.log(`  the last row is each run's time outside its steps: opening and creating the pool, each step's precondition, the close at the end and the end-of-run checks`);
  console.log(`    ${'step'.padEnd(20)} ${'steps'.padStart(7)} ${'checked'.padStart(9)} ${'bare'.padStart(7)} ${'ratio'.padStart(7)} ${'share'.padStart(7)}`);
  const ops = [...sides.checked.byOp.entries()].sort((a, b) => b[1].ms - (sides.bare.byOp.get(b[0])?.ms ?? 0) - (a[1].ms - (sides.bare.byOp.get(a[0])?.ms ?? 0)));
  for (const [op, checked] of ops) {
    const bare = sides.bare.byOp.get(op);
    if (bare === undefined) continue;
    console.log(row(op, String(checked.steps / rounds), checked.ms, bare.ms, checked.steps));
  }
  const outside = { checked: whole.checked - sides.checked.total(), bare: whole.bare - sides.bare.total() };
  console.log(row('per run, outside', String(saved.length), outside.checked, outside.bare, runs));
}

/** What each part of the code is, as the by-part table names it. */
const PART_NAMES: Readonly<Record<CodePart, string>> = {
  model: 'the model',
  harness: 'the harness (runner)',
  commands: 'the commands',
  bench: 'the bench: its loops, the bare driver',
  "pool's side": 'the pool, pg-mem, clock, connector',
  collector: 'garbage collector',
  'node and V8': 'node and V8 (async glue)',
  idle: 'idle',
};

/**
 * Where the difference goes by part of the code: passes of each side under V8's sampling profiler
 * (which slows both, not evenly: its shares are the figures, not its ratio), each sample put
 * down to the code it ran in; and one pass of each under the heap profiler, for the bytes each
 * allocates per command. The pool's side runs the same calls on both sides, so what it takes
 * more with every check is the same work run slower beside the model, and the counters sampled.
 */
async function byPart(adapter: PoolAdapter, saved: readonly SavedRun[], rounds: number): Promise<void> {
  const commands = saved.reduce((n, r) => n + r.list.length, 0);
  const ms = { checked: new Map<CodePart, number>(CODE_PARTS.map((p) => [p, 0])), bare: new Map<CodePart, number>(CODE_PARTS.map((p) => [p, 0])) };
  const bytes = { checked: 0, bare: 0 };
  const session = new ProfilerSession();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? (['checked', 'bare'] as const) : (['bare', 'checked'] as const)) {
        const profile = await session.cpu(async () => void (await timePass(saved, replay(adapter, side))));
        for (const [part, partMs] of msByPart(profile)) ms[side].set(part, ms[side].get(part)! + partMs / rounds);
      }
    }
    for (const side of ['checked', 'bare'] as const) bytes[side] = await session.allocated(async () => void (await timePass(saved, replay(adapter, side))));
  } finally {
    session.close();
  }
  const total = (side: Side): number => [...ms[side].values()].reduce((a, b) => a + b, 0);
  const extra = total('checked') - total('bare');
  console.log(`  by part of the code (${rounds} more pass${rounds === 1 ? '' : 'es'} of each side under V8's sampling profiler, which slows both; ${(total('checked') / total('bare')).toFixed(2)}x under it): ms per pass, and each part's share of the difference`);
  console.log(`    ${'part'.padEnd(38)} ${'checked'.padStart(8)} ${'bare'.padStart(7)} ${'share'.padStart(6)}`);
  for (const part of CODE_PARTS) {
    const [c, b] = [ms.checked.get(part)!, ms.bare.get(part)!];
    if (c + b < 0.05) continue;
    console.log(`    ${PART_NAMES[part].padEnd(38)} ${c.toFixed(1).padStart(8)} ${b.toFixed(1).padStart(7)} ${extra > 0 ? `${((100 * (c - b)) / extra).toFixed(0)}%`.padStart(6) : '-'.padStart(6)}`);
  }
  console.log(`  allocated per command (V8's sampling heap profiler, one pass of each): ${(bytes.checked / commands / 1024).toFixed(1)} KiB with every check, ${(bytes.bare / commands / 1024).toFixed(1)} KiB bare`);
}

/** Lists of one kind of step each, against the mixed lists above: what the mix adds to the ratio. */
const UNIFORM: readonly { readonly name: string; readonly list: readonly CommandJson[] }[] = [
  { name: 'an acquire, 200 queries', list: [{ op: 'acquire' }, ...Array.from({ length: 200 }, (): CommandJson => ({ op: 'query', connection: 1, sql: 'SELECT 1' })), { op: 'release', connection: 1 }] },
  { name: 'an acquire, 200 sleeps', list: [{ op: 'acquire' }, ...Array.from({ length: 200 }, (): CommandJson => ({ op: 'sleep', ms: 5 })), { op: 'release', connection: 1 }] },
  { name: '100 acquire-releases', list: Array.from({ length: 100 }, (): CommandJson[] => [{ op: 'acquire' }, { op: 'release', connection: 1 }]).flat() },
];

async function uniform(adapter: PoolAdapter, rounds: number): Promise<void> {
  const config: PoolConfig = { minSize: 0, maxSize: 2, lifetimeMs: 100_000 };
  const passes = 20;
  const perStep = async (side: Side, list: readonly CommandJson[]): Promise<number> => {
    const runs = Array.from({ length: passes }, (): SavedRun => ({ config, list }));
    return (await timePass(runs, replay(adapter, side))).wall;
  };
  console.log(`  lists of one kind of step (max 2, ${passes} runs each, ${rounds} alternating rounds): µs per step with every check and bare, the median ratio`);
  for (const { name, list } of UNIFORM) {
    await perStep('checked', list);
    await perStep('bare', list);
    const each: number[] = [];
    const sides = { checked: [] as number[], bare: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['checked', 'bare'] as const) : (['bare', 'checked'] as const);
      const times = { checked: 0, bare: 0 };
      for (const side of order) times[side] = await perStep(side, list);
      sides.checked.push(times.checked);
      sides.bare.push(times.bare);
      each.push(times.checked / times.bare);
    }
    console.log(`    ${name.padEnd(26)} ${median(sides.checked).toFixed(1).padStart(6)} ${median(sides.bare).toFixed(1).padStart(6)} ${median(each).toFixed(2).padStart(6)}x`);
  }
}

/** In how many runs both sides leave the same connector log (as a set: close may go in another order). */
async function sameWork(adapter: PoolAdapter, saved: readonly SavedRun[]): Promise<number> {
  const log = (connector: Connector | null): string => (connector?.events ?? []).map((e) => `${e.type} #${e.id} @${e.at}`).sort().join(', ');
  let same = 0;
  for (const run of saved) {
    let checked: Connector | null = null;
    let bare: Connector | null = null;
    await replayChecked(adapter, run, (options) => (checked = createPgMemConnector(options)));
    await driveBare({ ...adapter, create: (context) => ((bare = context.connector), adapter.create(context)) }, run.config, run.list);
    if (log(checked) === log(bare)) same++;
  }
  return same;
}
