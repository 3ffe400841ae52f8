/**
 * A bare driver for `npm run bench`: it replays a saved command list on the pool through the same
 * adapter, connector and fake clock as poolcheck, with no model, no invariant and no trace. What
 * poolcheck spends on top of it per command is the price of its checks.
 */
import type { PoolAdapter } from '../adapters/types.js';
import { installFakeClock, type FakeVirtualClock } from '../clock/fake.js';
import type { CommandJson } from '../commands/json.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { Connector } from '../connectors/types.js';
import { capabilitiesOf, type PoolConfig } from '../model/semantics.js';
import { controllerDone, takeController } from '../runner/signals.js';
import type { StepTimes } from './stats.js';

interface Driver {
  readonly adapter: PoolAdapter;
  pool: unknown;
  readonly clock: FakeVirtualClock;
  readonly connector: Connector;
  /** Connections handed out, by connector id. */
  readonly handles: Map<number, unknown>;
  /** Acquires not answered yet. */
  readonly pending: Set<{ value?: unknown; done: boolean; controller: AbortController | undefined }>;
  /** Each acquire's abort controller, in the order they were issued (an abort names its number). */
  readonly aborts: (AbortController | undefined)[];
  /** A slow connect asked for and not yet started, and when the last one started lands. */
  slow: number;
  landsBy: number;
}

/**
 * Replays `list` on a fresh pool and closes it; returns the commands run. Throws only if the pool
 * does. With `times`, each step's time is added to it under its op.
 */
export async function driveBare(adapter: PoolAdapter, config: PoolConfig, list: readonly CommandJson[], times?: StepTimes): Promise<number> {
  const clock = installFakeClock();
  try {
    const connector = createPgMemConnector({ now: () => clock.now() });
    let created: unknown;
    // The connect that takes a slow-connect fault lands that much later; close waits for it.
    const connect = connector.connect.bind(connector);
    (connector as { connect: Connector['connect'] }).connect = () => {
      if (d.slow > 0) d.landsBy = Math.max(d.landsBy, clock.now() + d.slow);
      d.slow = 0;
      return connect();
    };
    const d: Driver = { adapter, pool: null, clock, connector, handles: new Map(), pending: new Set(), aborts: [], slow: 0, landsBy: 0 };
    await settled(clock, (async () => (created = await adapter.create({ config, connector })))());
    d.pool = created;
    let closed = false;
    for (const step of list) {
      closed ||= step.op === 'close' || step.op === 'terminate';
      // Timed as poolcheck's steps are, in a wrapper of the same cost on both sides.
      await (times === undefined ? apply(d, step) : times.time(step.op, () => apply(d, step)));
      collect(d);
    }
    if (!closed) await close(d);
    return list.length;
  } finally {
    clock.uninstall();
  }
}

async function apply(d: Driver, step: CommandJson): Promise<void> {
  const { adapter, pool, clock } = d;
  switch (step.op) {
    case 'acquire':
      return acquire(d, 1);
    case 'burst':
      return acquire(d, step.count);
    case 'release':
      await settled(clock, adapter.release(pool, d.handles.get(step.connection)));
      d.handles.delete(step.connection);
      return quiet(clock);
    case 'destroy':
      await settled(clock, adapter.destroy?.(pool, d.handles.get(step.connection)));
      d.handles.delete(step.connection);
      return quiet(clock);
    case 'query':
      return settled(clock, adapter.query(pool, d.handles.get(step.connection), 'SELECT 1'));
    case 'sleep':
      await clock.sleep(step.ms);
      return;
    case 'blockingSleep': {
      clock.blockSync(step.ms);
      // Not numbered: poolcheck's acquire on wake takes no ticket, so an abort never names it.
      if (step.acquireOnWake) track(d, false);
      await clock.wake(step.phase);
      return quiet(clock);
    }
    case 'failNextConnect':
      return d.connector.faults?.failNextConnect();
    case 'slowNextConnect':
      d.slow = step.ms;
      return d.connector.faults?.delayNextConnect(step.ms);
    case 'abort':
      d.aborts[step.acquire - 1]?.abort();
      return quiet(clock);
    case 'failNextValidation':
      return d.connector.faults?.failNextValidation?.();
    case 'slowNextQuery':
      return d.connector.faults?.delayNextQuery?.(step.ms);
    case 'breakIdle':
      d.connector.faults?.breakConnection(step.connection);
      return quiet(clock);
    case 'close':
      return close(d);
    case 'terminate':
      await settled(clock, adapter.terminate(pool));
      // Each connect in flight lands on the terminated pool, as poolcheck's terminate step lets it.
      return landInFlight(d);
  }
}

async function acquire(d: Driver, count: number): Promise<void> {
  for (let i = 0; i < count; i++) track(d);
  await quiet(d.clock);
}

function track(d: Driver, numbered = true): void {
  // As the harness does: a signal only for a pool that declares aborts, from the spare ones.
  const controller = capabilitiesOf(d.adapter.semantics).abort == null ? undefined : takeController();
  const call: { value?: unknown; done: boolean; controller: AbortController | undefined } = { done: false, controller };
  d.pending.add(call);
  // An abort step names its acquire by number: every numbered acquire takes a place.
  if (numbered) d.aborts.push(controller);
  const acquired = controller === undefined ? d.adapter.acquire(d.pool) : d.adapter.acquire(d.pool, { signal: controller.signal });
  acquired.then(
    (value) => Object.assign(call, { value, done: true }),
    () => (call.done = true),
  );
}

function collect(d: Driver): void {
  for (const call of d.pending) {
    if (!call.done) continue;
    d.pending.delete(call);
    if (call.controller !== undefined) controllerDone(call.controller);
    if (call.value !== undefined) d.handles.set(d.adapter.connectionId(call.value), call.value);
  }
}

async function close(d: Driver): Promise<void> {
  // Connects in flight land first, as poolcheck's runner lets them.
  await landInFlight(d);
  const closing = (async () => d.adapter.close(d.pool))();
  closing.catch(() => undefined);
  await quiet(d.clock);
  for (const [id, conn] of d.handles) {
    await settled(d.clock, d.adapter.release(d.pool, conn));
    d.handles.delete(id);
  }
  await settled(d.clock, closing);
}

/** Lets time run until the last slow connect begun has landed. */
async function landInFlight(d: Driver): Promise<void> {
  if (d.landsBy <= d.clock.now()) return;
  await d.clock.sleep(d.landsBy - d.clock.now());
  collect(d);
}

async function quiet(clock: FakeVirtualClock): Promise<void> {
  await clock.settle();
}

async function settled(clock: FakeVirtualClock, value: unknown): Promise<void> {
  let done = false;
  void Promise.resolve(value).then(
    () => (done = true),
    () => (done = true),
  );
  await clock.settle(() => done);
}
