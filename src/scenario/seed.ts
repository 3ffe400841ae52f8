import type { PoolAdapter } from '../adapters/types.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { PoolConfig } from '../model/semantics.js';
import type { Violation } from '../model/violation.js';
import type { ConnectorFactory } from '../runner/run-once.js';
import { openRuntime } from '../runner/runtime.js';
import { CallSettler } from '../runner/settle-call.js';
import { validateCheckOptions } from '../runner/validate.js';
import { DefinitionError, PropertyViolationError } from '../runner/violation-error.js';

/*
 * The seed scenario is the report that started poolcheck: a pool with minSize 0, maxSize 10 and a
 * 5 s idle lifetime; two connections acquired, queried and released at t = 0; then the idle size
 * printed once a second, once with an async sleep between prints and once with the loop blocked.
 * It is a fixed scenario, not a property: it records what a pool does and expects nothing, since
 * pools with a periodic reaper legitimately print other rows.
 */

export interface SeedOptions {
  /** Idle lifetime of the pool, ms. Default 5000. */
  readonly lifetimeMs?: number;
  /** Samples of the idle size per row, the first at t = 0. Default 11 (t = 0 to 10 s). */
  readonly samples?: number;
  /** Time between samples, ms. Default 1000. */
  readonly intervalMs?: number;
  /** Where connections come from. Default: pg-mem. */
  readonly connector?: ConnectorFactory;
}

/** What the pool reported, as a value. `failure` is set when the pool broke the scenario. */
export interface SeedTable {
  readonly adapter: string;
  readonly config: PoolConfig;
  readonly intervalMs: number;
  /** When each sample is taken, ms after both connections were released. */
  readonly times: readonly number[];
  /** Idle size with `await sleep(intervalMs)` between samples: the loop runs, timers fire on time. */
  readonly async: readonly number[];
  /** Idle size sampled synchronously with the loop blocked from t = 0 to the last sample. */
  readonly blocked: readonly number[];
  /** Idle size once the blocked loop goes on; null when the scenario failed before. */
  readonly afterWake: number | null;
  /** The first thing the pool got wrong (a rejected or hung call); the rows stop there. */
  readonly failure: Violation | null;
}

const CONNECTIONS = 2;
const KNOWN_OPTIONS = ['lifetimeMs', 'samples', 'intervalMs', 'connector'];

/**
 * Runs the seed scenario on any pool, under fake time. Each row gets a fresh fake clock, connector
 * and pool, which are closed and uninstalled even when the pool fails. Throws only for a wrong
 * adapter or option ({@link DefinitionError}); a misbehaving pool is reported in `failure`.
 *
 * @example
 * const table = await runSeedScenario(ownPoolAdapter());
 * console.log(formatSeedTable(table));
 */
export async function runSeedScenario(adapter: PoolAdapter, options: SeedOptions = {}): Promise<SeedTable> {
  validateCheckOptions({ adapter });
  const { lifetimeMs, samples, intervalMs, connector } = resolveSeedOptions(options);
  const config: PoolConfig = { minSize: 0, maxSize: 10, lifetimeMs };
  const run = { adapter, config, connector };
  const async: number[] = [];
  const blocked: number[] = [];
  let afterWake: number | null = null;

  const failure =
    (await inFreshPool(run, `await sleep(${intervalMs})`, async (h, idle) => {
      async.push(idle());
      for (let i = 1; i < samples; i++) {
        const slept = await h.clock.sleep(intervalMs);
        if (!slept.ok) h.fail('not-settled', `sleep(${intervalMs}): ${slept.reason}`);
        async.push(idle());
      }
    })) ??
    (await inFreshPool(run, `blocking sleep(${intervalMs})`, async (h, idle) => {
      // No await until the wake: every sample is read inside one block of the loop.
      blocked.push(idle());
      for (let i = 1; i < samples; i++) {
        h.clock.blockSync(intervalMs);
        blocked.push(idle());
      }
      const woke = await h.clock.wake();
      if (!woke.ok) h.fail('not-settled', `waking from the block: ${woke.reason}`);
      afterWake = idle();
    }));

  const times = Array.from({ length: samples }, (_, i) => i * intervalMs);
  return { adapter: adapter.name, config, intervalMs, times, async, blocked, afterWake, failure };
}

interface SeedRun {
  readonly adapter: PoolAdapter;
  readonly config: PoolConfig;
  readonly connector: ConnectorFactory;
}

type Drive = (h: CallSettler, idle: () => number) => Promise<void>;

/**
 * One row: a fresh clock, connector and pool, two connections used and released at t = 0, then
 * `drive`. Returns the pool's failure, or null. Pool calls settle through the harness, so a call
 * that hangs or rejects becomes a violation instead of a hung scenario.
 */
async function inFreshPool(run: SeedRun, row: string, drive: Drive): Promise<Violation | null> {
  const { adapter, config } = run;
  const { clock, connector, end } = await openRuntime(adapter, run.connector);
  // Only the harness's bounded settle, without the model: the pool is passed to the adapter directly.
  const h = new CallSettler(clock);
  let pool: unknown;
  let open = false;
  try {
    pool = await h.settle(() => adapter.create({ config, connector }), 'creating the pool');
    open = true;
    const conns: unknown[] = [];
    for (let n = 1; n <= CONNECTIONS; n++) conns.push(await h.settle(() => adapter.acquire(pool), `acquire() of connection ${n}`));
    for (const conn of conns) await h.settle(() => adapter.query(pool, conn, 'SELECT 1'), `SELECT 1 on connection #${adapter.connectionId(conn)}`);
    for (const conn of conns) await h.settle(() => adapter.release(pool, conn), `release() of connection #${adapter.connectionId(conn)}`);
    await drive(h, () => adapter.counters(pool).idle);
    await h.settle(() => adapter.close(pool), 'close()');
    open = false;
    return null;
  } catch (error) {
    if (!(error instanceof PropertyViolationError)) throw error;
    return { ...error.violation, message: `${row}: ${error.violation.message}` };
  } finally {
    // A pool that failed mid-scenario may still lend connections, so a graceful close could wait
    // forever; terminate it, while its timers are still on the fake clock.
    if (open) await h.settle(() => adapter.terminate(pool), 'terminate()').catch(() => undefined);
    await end();
  }
}

function resolveSeedOptions(options: SeedOptions): Required<SeedOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new DefinitionError(`poolcheck scenario seed: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new DefinitionError(`poolcheck scenario seed: unknown option "${key}"; known options are ${KNOWN_OPTIONS.join(', ')}`);
    }
  }
  if (options.connector !== undefined && typeof options.connector !== 'function') {
    throw new DefinitionError('poolcheck scenario seed: connector must be a function ({ now }) => Connector, for example createPgMemConnector');
  }
  return {
    lifetimeMs: whole('lifetimeMs', options.lifetimeMs, 5000, 0),
    samples: whole('samples', options.samples, 11, 1),
    intervalMs: whole('intervalMs', options.intervalMs, 1000, 1),
    connector: options.connector ?? createPgMemConnector,
  };
}

function whole(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new DefinitionError(`poolcheck scenario seed: ${name} must be a whole number of ${name === 'samples' ? 'samples' : 'ms'} >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * The table as text, one column per sample:
 *
 * ```text
 * t (s)                 0  1  2  3  4  5  6  7  8  9  10
 * await sleep(1000)     2  2  2  2  2  0  0  0  0  0   0
 * ```
 */
export function formatSeedTable(table: SeedTable): string {
  const { config } = table;
  const seconds = table.times.every((t) => t % 1000 === 0);
  const head = [seconds ? 't (s)' : 't (ms)', ...table.times.map((t) => String(seconds ? t / 1000 : t))];
  const row = (label: string, values: readonly number[]): string[] => [label, ...table.times.map((_, i) => (i < values.length ? String(values[i]) : '-'))];
  const wake = table.times.map((_, i) => (i < table.times.length - 1 ? '' : table.afterWake === null ? '-' : String(table.afterWake)));
  const rows = [head, row(`await sleep(${table.intervalMs})`, table.async), row(`blocking sleep(${table.intervalMs})`, table.blocked), ['after the loop wakes', ...wake]];
  const widths = head.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  const lines = [
    `${table.adapter}: idle size after ${CONNECTIONS} connections were released at t = 0 (minSize ${config.minSize}, maxSize ${config.maxSize}, lifetime ${config.lifetimeMs} ms)`,
    ...rows.map((r) => r.map((cell, col) => (col === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[col] ?? 0))).join('  ').trimEnd()),
  ];
  if (table.failure !== null) lines.push(`FAILED at t = ${table.failure.at} ms: ${table.failure.message}`);
  return lines.join('\n');
}
