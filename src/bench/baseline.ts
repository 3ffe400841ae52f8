/**
 * The harness a user would hand-roll instead of poolcheck, the honest speed baseline of
 * `npm run bench`: `fc.commands` with `fc.asyncModelRun`, one @sinonjs/fake-timers clock installed
 * per run, acquire / release / query / a uniform random sleep, and a model that checks only the idle
 * size and the size. It is written the way the fast-check and fake-timers docs suggest, no faster
 * and no slower, and it goes through the same adapter and connector as poolcheck, so a mutant can
 * be run through both.
 */
import FakeTimers from '@sinonjs/fake-timers';
import fc from 'fast-check';
import type { PoolAdapter } from '../adapters/types.js';
import { createPgMemConnector } from '../connectors/pgmem.js';

/** The model: when each idle connection was released (the last one is reused first), and how many are in use. */
interface Model {
  now: number;
  readonly lifetimeMs: number;
  readonly maxSize: number;
  idleSince: number[];
  busy: number;
}

type InstalledClock = ReturnType<typeof FakeTimers.install>;

interface Real {
  readonly adapter: PoolAdapter;
  readonly pool: unknown;
  readonly clock: InstalledClock;
  readonly held: unknown[];
  /** Commands run, for the bench's rate; the only addition to what a user would write. */
  readonly counted: { n: number };
}

type Command = fc.AsyncCommand<Model, Real>;

/** Runs the loop until `promise` settles: pg-mem answers through setImmediate, which the clock fakes. */
async function settle<T>(clock: InstalledClock, promise: Promise<T> | T): Promise<T> {
  let done = false;
  const p = Promise.resolve(promise).finally(() => (done = true));
  for (let i = 0; i < 1000 && !done; i++) await clock.tickAsync(0);
  if (!done) throw new Error('did not settle');
  return p;
}

function expectCounters(m: Model, r: Real): void {
  const { idle, size } = r.adapter.counters(r.pool);
  if (idle !== m.idleSince.length || size !== m.idleSince.length + m.busy) {
    throw new Error(`idle ${idle}, size ${size}; the model expects idle ${m.idleSince.length}, size ${m.idleSince.length + m.busy}`);
  }
}

class Acquire implements Command {
  check = (m: Readonly<Model>): boolean => m.busy < m.maxSize;
  async run(m: Model, r: Real): Promise<void> {
    r.counted.n++;
    r.held.push(await settle(r.clock, r.adapter.acquire(r.pool)));
    m.idleSince.pop();
    m.busy++;
    expectCounters(m, r);
  }
  toString = (): string => 'acquire()';
}

class Release implements Command {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.busy > 0;
  async run(m: Model, r: Real): Promise<void> {
    r.counted.n++;
    const [conn] = r.held.splice(this.pick % r.held.length, 1);
    await settle(r.clock, r.adapter.release(r.pool, conn));
    m.busy--;
    m.idleSince.push(m.now);
    expectCounters(m, r);
  }
  toString = (): string => `release(${this.pick})`;
}

class Query implements Command {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.busy > 0;
  async run(m: Model, r: Real): Promise<void> {
    r.counted.n++;
    await settle(r.clock, r.adapter.query(r.pool, r.held[this.pick % r.held.length], 'SELECT 1'));
    expectCounters(m, r);
  }
  toString = (): string => `query(${this.pick})`;
}

class Sleep implements Command {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(m: Model, r: Real): Promise<void> {
    r.counted.n++;
    await r.clock.tickAsync(this.ms);
    m.now += this.ms;
    m.idleSince = m.idleSince.filter((since) => since + m.lifetimeMs > m.now);
    expectCounters(m, r);
  }
  toString = (): string => `sleep(${this.ms})`;
}

const commandsArb = fc.commands(
  [
    fc.constant(null).map(() => new Acquire()),
    fc.nat(9).map((pick) => new Release(pick)),
    fc.nat(9).map((pick) => new Query(pick)),
    fc.integer({ min: 1, max: 1_000 }).map((ms) => new Sleep(ms)),
  ],
  { maxCommands: 100, size: 'max' },
);
const configArb = fc.record({ maxSize: fc.integer({ min: 1, max: 10 }), lifetimeMs: fc.integer({ min: 1, max: 1_000 }) });

export interface BaselineOptions {
  readonly adapter: PoolAdapter;
  readonly numRuns: number;
  readonly seed: number;
}

export interface BaselineResult {
  readonly failed: boolean;
  /** Runs before the verdict, not counting shrinking. */
  readonly runs: number;
  /** Commands run, shrinking included. */
  readonly commands: number;
  readonly wallMs: number;
  /** Wall time until the first failing run ended, or NaN. */
  readonly firstFailureMs: number;
}

/** Runs the hand-rolled harness on `adapter` (min 0, no acquire timeout: what it models). */
export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const { adapter } = options;
  const counted = { n: 0 };
  let firstFailureMs = Number.NaN;
  const started = performance.now();
  const property = fc.asyncProperty(commandsArb, configArb, async (cmds, config) => {
    const clock = FakeTimers.install({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'Date'] });
    try {
      const connector = createPgMemConnector();
      const pool = await settle(clock, adapter.create({ config: { minSize: 0, ...config }, connector }));
      const real: Real = { adapter, pool, clock, held: [], counted };
      const model: Model = { now: 0, ...config, idleSince: [], busy: 0 };
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      for (const conn of real.held.splice(0)) await settle(clock, adapter.release(pool, conn));
      await settle(clock, adapter.close(pool));
    } catch (error) {
      if (Number.isNaN(firstFailureMs)) firstFailureMs = performance.now() - started;
      throw error;
    } finally {
      clock.uninstall();
    }
  });
  const details = await fc.check(property, { numRuns: options.numRuns, seed: options.seed });
  return { failed: details.failed, runs: details.numRuns, commands: counted.n, wallMs: performance.now() - started, firstFailureMs };
}
