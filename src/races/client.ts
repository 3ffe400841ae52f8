import type { PoolAdapter } from '../adapters/types.js';
import type { ClientProgram, RaceFault } from './types.js';
import { Aborted, outcomeOf, type RaceWorld } from './world.js';

/**
 * One concurrent client. Every step waits for the scheduler to pick it, so the clients' acquires,
 * queries, releases and sleeps interleave with each other and with the server's replies in the
 * order the scheduler chooses.
 */
export async function runClient(world: RaceWorld, adapter: PoolAdapter, pool: unknown, who: string, program: ClientProgram): Promise<void> {
  try {
    for (const [r, round] of program.entries()) {
      world.beginRound(who, r);
      if (round.pause > 0) await world.step(who, round.block === undefined ? `sleep ${round.pause} ms` : `block the loop ${round.pause} ms, waking into ${round.block}`, round.pause, round.block);
      if (round.fault !== undefined) {
        await world.step(who, `inject ${describeFault(round.fault)}`);
        world.inject(round.fault);
      }
      await world.step(who, 'acquire()');
      const conn = await acquire(world, adapter, pool, who, round.abort === true);
      if (conn === null) {
        world.doing.set(who, 'between rounds');
        continue;
      }
      const id = adapter.connectionId(conn);
      world.received(who, id);
      world.doing.set(who, `holds #${id}`);
      for (let q = 0; q < round.queries; q++) {
        await world.step(who, `query on #${id}`);
        await call(world, who, `query on #${id}`, () => adapter.query(pool, conn, 'SELECT 1'), id);
      }
      if (round.hold > 0) await world.step(who, `sleep ${round.hold} ms holding #${id}`, round.hold);
      if (round.discard && adapter.destroy !== undefined) {
        await world.step(who, `destroy(#${id})`);
        world.discarded(who, id);
        await call(world, who, `destroy(#${id})`, () => adapter.destroy?.(pool, conn));
      } else {
        await world.step(who, `release(#${id})`);
        // Before the call: a pool may hand the connection to a waiter inside release().
        world.holders.delete(id);
        await call(world, who, `release(#${id})`, () => adapter.release(pool, conn));
      }
      world.doing.set(who, 'between rounds');
    }
    world.doing.set(who, 'done');
  } catch (error) {
    if (error instanceof Aborted) return;
    world.fail('pool-error', who, `threw: ${describe(error)}`);
  }
}

/**
 * The round's acquire, with an abort at a step the scheduler picks where the round asks for one.
 * Resolves to the connection, or to null for an acquire rejected for a reason the run allows:
 * aborted, timed out after the configured timeout, or failed by an injected connect fault. Any
 * other rejection fails the run, as does a connection for an acquire aborted while pending.
 */
async function acquire(world: RaceWorld, adapter: PoolAdapter, pool: unknown, who: string, abort: boolean): Promise<unknown> {
  const controller = abort ? new AbortController() : null;
  const started = world.clock.now();
  world.acquirePending(who, started);
  const state = { settled: false, aborted: false };
  const pending = outcomeOf((async () => (controller === null ? adapter.acquire(pool) : adapter.acquire(pool, { signal: controller.signal })))());
  if (controller !== null) {
    void (async () => {
      try {
        await world.step(`${who}'s signal`, 'abort the pending acquire');
      } catch (error) {
        if (error instanceof Aborted) return;
        throw error;
      }
      // The loop settled before this step, so an acquire already answered has said so.
      world.doing.set(`${who}'s signal`, 'done');
      if (state.settled) return world.log(`${who}'s signal`, 'nothing to abort: the acquire was answered');
      state.aborted = true;
      world.aborting();
      controller.abort();
    })();
  }
  const result = await pending;
  state.settled = true;
  world.acquirePending(who, null);
  if (world.failed) throw new Aborted();
  if (result.ok) {
    if (state.aborted) {
      const id = adapter.connectionId(result.value);
      world.fail('served-after-abort', who, `acquire() was aborted while pending, but then got #${id}`, id);
      throw new Aborted();
    }
    return result.value;
  }
  const waited = world.clock.now() - started;
  const excuse = state.aborted ? 'aborted' : world.timedOut(waited) ? `timed out after ${waited} ms` : world.claimConnectFailure() ? 'its connect failed (injected)' : null;
  if (excuse !== null) {
    world.log(who, `acquire() rejected: ${excuse}`);
    return null;
  }
  const timeout = world.acquireTimeoutMs;
  const kind = timeout !== undefined && waited < timeout ? 'waiter-answered-early' : 'pool-error';
  world.fail(kind, who, `acquire() was rejected after ${waited} ms${timeout === undefined ? '' : ` (its timeout is ${timeout} ms)`}, with no abort or injected fault to explain it: ${describe(result.error)}`);
  throw new Aborted();
}

function describeFault(fault: RaceFault): string {
  return 'ms' in fault ? `${fault.kind}(${fault.ms})` : `${fault.kind}()`;
}

/** A call into the pool; a rejection fails the run, naming the call. */
async function call<T>(world: RaceWorld, who: string, what: string, f: () => T | Promise<T>, id?: number): Promise<T> {
  try {
    return await f();
  } catch (error) {
    if (error instanceof Aborted) throw error;
    if (id !== undefined && world.isClosed(id)) {
      world.fail('handed-out-destroyed', who, `${what} failed: #${id} was closed under ${who} (${describe(error)})`, id);
    } else {
      world.fail('pool-error', who, `${what} failed: ${describe(error)}`, id);
    }
    throw new Aborted();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
