import type fc from 'fast-check';
import type { PoolAdapter } from '../adapters/types.js';
import { installFakeClock } from '../clock/fake.js';
import { describeConfig, timeoutPollMs, timeoutRulesOf, type PoolConfig, type Semantics } from '../model/semantics.js';
import { createMustFail } from '../runner/create-refused.js';
import type { ConnectorFactory } from '../runner/run-once.js';
import { runClient } from './client.js';
import { ScheduledConnector } from './scheduled-connector.js';
import type { ClientProgram, RaceOutcome } from './types.js';
import { RaceWorld, type AbandonRule } from './world.js';

/** Scheduler decisions in one run before it counts as a pool that never settles. */
const MAX_DECISIONS = 5_000;
/**
 * With nothing scheduled and a client still waiting, only a timer can move things on (a pool
 * that serves waiters from a polling loop). Time passes in steps up to this budget; a pool still
 * stuck after it is reported as not settling.
 */
const IDLE_STEP_MS = 100;
const IDLE_BUDGET_MS = 10_000;

interface Tracked<T> {
  settled: boolean;
  value?: T;
  error?: { readonly error: unknown };
}

function track<T>(start: () => T | Promise<T>): Tracked<T> {
  const t: Tracked<T> = { settled: false };
  Promise.resolve()
    .then(start)
    .then(
      (value) => Object.assign(t, { settled: true, value }),
      (error: unknown) => Object.assign(t, { settled: true, error: { error } }),
    );
  return t;
}

/**
 * One race run: a fresh fake clock and server, the pool, then every client at once, with the
 * scheduler picking each next step; then a graceful close and the end-of-run checks (every
 * connection the server opened closed exactly once, no timer pending). The clock is always
 * uninstalled, and a failed run's pool is terminated.
 */
export async function runRace(adapter: PoolAdapter, config: PoolConfig, programs: readonly ClientProgram[], scheduler: fc.Scheduler, makeConnector: ConnectorFactory): Promise<RaceOutcome> {
  const clock = installFakeClock();
  const server = makeConnector({ now: () => clock.now() });
  const world = new RaceWorld(scheduler, clock, server, config.maxSize, config.acquireTimeoutMs, abandonRule(adapter.semantics, config));
  const connector = new ScheduledConnector(server, world);
  const roundsBegun = (): number[] => programs.map((_, i) => world.roundsBegun.get(`c${i + 1}`) ?? 0);
  let pool: { readonly value: unknown } | null = null;
  let closed = false;
  try {
    world.log('harness', `create pool (${describeConfig(config)}) and start ${programs.length} clients`);
    const creating = track(() => adapter.create({ config, connector }));
    await drive(world, () => creating.settled, 'creating the pool');
    if (createMustFail(config, adapter.semantics)) {
      // A pool that declares it refuses a lifetime of 0 must fail to create, leaving nothing behind.
      if (creating.settled && creating.error === undefined) {
        pool = { value: creating.value };
        world.fail('zero-lifetime-accepted', 'harness', 'creating the pool with a lifetime of 0 succeeded; the declared semantics say the pool refuses 0 (zeroLifetime: "create-fails"), so create must fail with an error');
      } else if (creating.error !== undefined) refused(world, creating.error.error);
      return outcome(world, roundsBegun());
    }
    if (creating.error !== undefined) world.fail('pool-error', 'harness', `creating the pool failed: ${describe(creating.error.error)}`);
    if (world.failed || !creating.settled) return outcome(world, roundsBegun());
    pool = { value: creating.value };
    const created = pool.value;
    const clients = programs.map((program, i) => track(() => runClient(world, adapter, created, `c${i + 1}`, program)));
    await drive(world, () => clients.every((c) => c.settled), 'the clients');
    if (world.failed) return outcome(world, roundsBegun());
    world.log('harness', 'every client is done; close()');
    const closing = track(() => adapter.close(created));
    // Every reply still held back is delivered too: what a pool does on the last close's reply
    // (a callback, a timer) belongs to the run.
    // So is every connect the pool gave up on, still in flight at the server: it lands, and the
    // pool must close it then.
    await drive(world, () => closing.settled && world.scheduler.count() === 0 && world.connectsInFlight === 0, 'close()');
    if (closing.error !== undefined) world.fail('pool-error', 'harness', `close() failed: ${describe(closing.error.error)}`);
    if (world.failed) return outcome(world, roundsBegun());
    closed = true;
    endOfRun(world);
    return outcome(world, roundsBegun());
  } finally {
    if (!closed && pool !== null) await terminate(world, adapter, pool.value);
    clock.uninstall();
    await server.dispose();
  }
}

/** How the pool gives up on a connect in flight at its timeout, as it declares it; null where it never does. */
function abandonRule(semantics: Semantics, config: PoolConfig): AbandonRule | null {
  const rules = timeoutRulesOf(semantics);
  if (config.acquireTimeoutMs === undefined || rules.covers !== 'wait-and-connect' || rules.lateConnect === 'kept') return null;
  return { kind: rules.lateConnect, timeoutMs: config.acquireTimeoutMs, pollMs: timeoutPollMs(semantics) };
}

/**
 * Lets the run go on until `done()`: settle what is due now, then let the scheduler pick the next
 * pending step. Bounded three ways: settles, decisions, and idle time.
 */
async function drive(world: RaceWorld, done: () => boolean, what: string): Promise<void> {
  let idleMs = 0;
  while (!world.failed) {
    const settled = await world.clock.settle();
    if (!settled.ok) return world.fail('not-settled', 'harness', `${what}: ${settled.reason}`);
    world.checkOpen();
    if (world.failed || done()) return;
    if (world.decisions >= MAX_DECISIONS) return world.fail('not-settled', 'harness', `${what}: still busy after ${MAX_DECISIONS} scheduler decisions`);
    if (world.scheduler.count() > 0) {
      await world.scheduler.waitOne();
      continue;
    }
    if (idleMs < IDLE_BUDGET_MS && world.clock.pendingTimers() > 0) {
      if (idleMs === 0) world.log('harness', `nothing is scheduled; time passes, up to ${IDLE_BUDGET_MS} ms`);
      const slept = await world.clock.sleep(IDLE_STEP_MS);
      if (!slept.ok) return world.fail('not-settled', 'harness', `${what}: ${slept.reason}`);
      idleMs += IDLE_STEP_MS;
      continue;
    }
    const waiting = [...world.doing].filter(([, doing]) => doing !== 'done').map(([who, doing]) => `${who} ${doing}`);
    return world.fail('not-settled', 'harness', `${what} never finished: nothing is scheduled and no timer can help${waiting.length === 0 ? '' : ` (${waiting.join(', ')})`}`);
  }
}

/** Every connection the server opened was closed exactly once, and the closed pool left no timer. */
function endOfRun(world: RaceWorld): void {
  const closes = new Map<number, number>();
  for (const e of world.server.events) if (e.type === 'destroy') closes.set(e.id, (closes.get(e.id) ?? 0) + 1);
  for (const e of world.server.events) {
    if (e.type !== 'create') continue;
    const count = closes.get(e.id) ?? 0;
    if (count === 0) return world.fail('leaked-connection', 'harness', `after close(), #${e.id} is still open at the server`, e.id);
    if (count > 1) return world.fail('destroyed-twice', 'harness', `#${e.id} was closed ${count} times`, e.id);
  }
  const timers = world.clock.pendingTimers();
  if (timers > 0) return world.fail('timer-left-pending', 'harness', `${timers} timer(s) still pending after close(); a closed pool must cancel its timers`);
  world.log('harness', 'closed: every connection closed once, no timer pending');
}

/** The pool refused a lifetime of 0, as declared: with an Error, and leaving no connection open and no timer pending. */
function refused(world: RaceWorld, error: unknown): void {
  if (!(error instanceof Error) || error.message === '') return world.fail('pool-error', 'harness', `creating the pool with a lifetime of 0 failed without an Error saying why: ${describe(error)}`);
  const live = world.server.liveIds();
  if (live.length > 0) return world.fail('leaked-connection', 'harness', `creating the pool with a lifetime of 0 failed (${describe(error)}) but left connection(s) ${live.map((id) => `#${id}`).join(', ')} open`, live[0]);
  const timers = world.clock.pendingTimers();
  if (timers > 0) return world.fail('timer-left-pending', 'harness', `creating the pool with a lifetime of 0 failed (${describe(error)}) but left ${timers} timer(s) pending`);
  world.log('harness', `creating the pool failed, as declared for a lifetime of 0: ${describe(error)}`);
}

/** After a failure: release every held-back reply, then terminate the pool, each bounded. */
async function terminate(world: RaceWorld, adapter: PoolAdapter, pool: unknown): Promise<void> {
  world.passThrough = true;
  for (let i = 0; i < MAX_DECISIONS && world.scheduler.count() > 0; i++) {
    await world.scheduler.waitOne();
    await world.clock.settle();
  }
  const terminating = track(() => adapter.terminate(pool));
  await world.clock.settle(() => terminating.settled);
}

function outcome(world: RaceWorld, roundsBegun: readonly number[]): RaceOutcome {
  return { violation: world.violation, trace: world.trace, decisions: world.decisions, virtualMs: world.clock.now(), roundsBegun };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
