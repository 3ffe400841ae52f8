// The pool of the quickstart: idle connections on a stack, each with its own idle timer armed on
// release and cleared on acquire, and no minimum. Any pool of yours takes its place.

export interface MyConnection {
  query(sql: string): Promise<unknown>;
  close(): Promise<void>;
}

interface Idle<C> {
  readonly conn: C;
  readonly timer: ReturnType<typeof setTimeout> | null;
}

export class MyPool<C extends MyConnection> {
  readonly idle: Idle<C>[] = []; // most recently released last
  readonly lent = new Set<C>();
  private closed = false;
  private onLastRelease: (() => void) | null = null;

  constructor(private readonly options: { connect: () => Promise<C>; max: number; idleMs: number }) {}

  async acquire(): Promise<C> {
    if (this.closed) throw new Error('my pool: acquire after close');
    const entry = this.idle.pop();
    if (entry !== undefined) {
      if (entry.timer !== null) clearTimeout(entry.timer);
      this.lent.add(entry.conn);
      return entry.conn;
    }
    if (this.lent.size >= this.options.max) throw new Error('my pool: exhausted; it does not queue callers');
    const conn = await this.options.connect();
    this.lent.add(conn);
    return conn;
  }

  release(conn: C): void {
    if (!this.lent.delete(conn)) throw new Error('my pool: release of a connection it did not lend');
    if (this.closed) {
      void conn.close();
      if (this.lent.size === 0) this.onLastRelease?.();
      return;
    }
    const timer = this.options.idleMs > 0 ? setTimeout(() => this.expire(conn), this.options.idleMs) : null;
    this.idle.push({ conn, timer });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { conn, timer } of this.idle.splice(0)) {
      if (timer !== null) clearTimeout(timer);
      await conn.close();
    }
    if (this.lent.size > 0) await new Promise<void>((resolve) => (this.onLastRelease = resolve));
  }

  terminate(): void {
    this.closed = true;
    for (const { conn, timer } of this.idle.splice(0)) {
      if (timer !== null) clearTimeout(timer);
      void conn.close();
    }
    for (const conn of this.lent) void conn.close();
    this.lent.clear();
  }

  private expire(conn: C): void {
    const at = this.idle.findIndex((entry) => entry.conn === conn);
    if (at >= 0) this.idle.splice(at, 1);
    void conn.close();
  }
}
