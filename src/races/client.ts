import type { PoolAdapter } from '../adapters/types.js';
import type { ClientProgram } from './types.js';
import { Aborted, type RaceWorld } from './world.js';

/**
 * One concurrent client. Every step waits for the scheduler to pick it, so the clients' acquires,
 * queries, releases and sleeps interleave with each other and with the server's replies in the
 * order the scheduler chooses.
 */
export async function runClient(world: RaceWorld, adapter: PoolAdapter, pool: unknown, who: string, program: ClientProgram): Promise<void> {
  try {
    for (const [r, round] of program.entries()) {
      world.beginRound(who, r);
      if (round.pause > 0) await world.step(who, `sleep ${round.pause} ms`, round.pause);
      await world.step(who, 'acquire()');
      const conn = await call(world, who, 'acquire()', () => adapter.acquire(pool));
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
