/**
 * What poolcheck's checks cost per command: the same saved command lists replayed with every
 * check (model, invariants, answers, end-of-run checks) and by a bare driver with none, in
 * alternating rounds. The ratio of the per-command times is the price of checking.
 */
import { ownPoolAdapter } from '../adapters/own.js';
import type { PoolAdapter } from '../adapters/types.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { Connector } from '../connectors/types.js';
import { keepFakeClockInstalled } from '../clock/fake.js';
import { driveBare } from './bare.js';
import { recordRuns, replayChecked, type SavedRun } from './lists.js';
import { bestRatio, median, ratios } from './stats.js';

export interface OverheadOptions {
  readonly lists: number;
  readonly rounds: number;
}

export async function benchOverhead(options: OverheadOptions): Promise<void> {
  const adapter = ownPoolAdapter();
  const saved = await recordRuns(adapter, options.lists, 12);
  const commands = saved.reduce((n, r) => n + r.list.length, 0);
  console.log(`per-command cost against a bare driver: ${saved.length} saved runs of the own pool (${commands} commands), ${options.rounds} alternating rounds`);
  // Both sides keep one fake clock installed across their runs, as check() does. Returns µs per
  // command, of wall time and of this process's CPU time.
  const timed = async (replay: (run: SavedRun) => Promise<number>): Promise<{ wall: number; cpu: number }> => {
    const release = keepFakeClockInstalled();
    try {
      const before = process.cpuUsage();
      const started = performance.now();
      for (const run of saved) await replay(run);
      const used = process.cpuUsage(before);
      return { wall: ((performance.now() - started) * 1000) / commands, cpu: (used.user + used.system) / commands };
    } finally {
      release();
    }
  };
  const checked = (run: SavedRun): Promise<number> => replayChecked(adapter, run);
  const bare = (run: SavedRun): Promise<number> => driveBare(adapter, run.config, run.list);
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
