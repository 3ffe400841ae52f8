import type { Connection } from '../connectors/types.js';

/**
 * One of the pool's `maxSize` fixed places for a connection (asyncpg's connection holder). The
 * slot outlives its connections: expiry closes the connection, and the slot reconnects lazily on
 * its next acquire.
 *
 * @internal Fields are public so that subclasses of `Pool` (fixtures/mutants) can read them;
 * only `Pool` writes them.
 */
export class Slot<C extends Connection = Connection> {
  /** The slot's connection, or null when it has none (never opened, expired, or failed). */
  conn: C | null = null;
  /** Taken by an acquire: reserved for a caller, connecting for one, or lent to one. */
  inUse = false;
  /** A connect for this slot is in flight. It already occupies capacity. */
  connecting = false;
  /** The pending expiry timer, if armed. */
  timer: ReturnType<typeof setTimeout> | null = null;
  /** `Date.now()` when the current connection was created. */
  createdAt: number | null = null;
  /** `Date.now()` when the current connection was last released to the free stack. */
  releasedAt: number | null = null;

  constructor(readonly index: number) {}

  /** Holds a connection that is still open (a connection may also be closed from outside). */
  get isOpen(): boolean {
    return this.conn !== null && !this.conn.closed;
  }
}
