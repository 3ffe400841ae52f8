import type { Connection, Connector, ConnectorEvent } from '../connectors/types.js';
import { outcomeOf, type RaceWorld } from './world.js';

/**
 * A connector whose replies reach the pool in an order the scheduler picks. Each operation
 * happens at the server at once (the connect opens, the query runs, the close is logged and the
 * connection stops counting), and only the reply is held back, as network latency would hold it:
 * so "open at the server" always means "the pool asked for it and has not closed it".
 */
export class ScheduledConnector implements Connector {
  constructor(
    private readonly inner: Connector,
    private readonly world: RaceWorld,
  ) {}

  get events(): readonly ConnectorEvent[] {
    return this.inner.events;
  }

  liveIds(): number[] {
    return this.inner.liveIds();
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }

  async connect(): Promise<Connection> {
    const attempt = this.world.connectStarted();
    const opened = await outcomeOf(this.inner.connect());
    if (!opened.ok) {
      this.world.connectAnswered(attempt);
      return this.world.deliver(opened, 'a connect fails');
    }
    attempt.id = opened.value.id;
    this.world.serverOpened(opened.value);
    const conn = await this.world.deliver({ ok: true, value: new ScheduledConnection(opened.value, this.world) }, `connect of #${opened.value.id} returns`);
    this.world.connectAnswered(attempt);
    return conn;
  }
}

class ScheduledConnection implements Connection {
  constructor(
    private readonly inner: Connection,
    private readonly world: RaceWorld,
  ) {}

  get id(): number {
    return this.inner.id;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  async query(sql: string): Promise<unknown> {
    const answer = await outcomeOf(this.inner.query(sql));
    return this.world.deliver(answer, answer.ok ? `#${this.id} answers ${sql}` : `#${this.id} fails ${sql}`);
  }

  async validate(): Promise<boolean> {
    const answer = await outcomeOf(this.inner.validate());
    return this.world.deliver(answer, `#${this.id} answers its validation${answer.ok && !answer.value ? ': invalid' : ''}`);
  }

  isValid(): boolean {
    return this.inner.isValid();
  }

  async close(): Promise<void> {
    this.world.poolCloses(this.inner);
    const closed = await outcomeOf(this.inner.close());
    return this.world.deliver(closed, `close of #${this.id} returns`);
  }

  onBreak(listener: (error: Error) => void): void {
    // Races inject no faults; a connector that cannot break connections has nothing to register.
    (this.inner as Partial<Connection>).onBreak?.(listener);
  }
}
