import type { PoolCounters } from '../adapters/types.js';
import { settledOk, type Settled, type VirtualClock } from '../clock/clock.js';
import type { Connection, Connector, ConnectorEvent } from '../connectors/types.js';
import { RemoteProcess, RemoteProcessError, type RemoteProcessOptions } from './process.js';
import type { WakePhase } from '../model/handoff.js';
import { helloWakePhases, PROTOCOL_VERSION, type ReplyState, type Request } from './protocol.js';

const realSetImmediate = globalThis.setImmediate;

/** What the child said in its hello. */
export interface Hello {
  readonly protocol: number;
  readonly [key: string]: unknown;
}

/**
 * One pool process for one run, seen through the interfaces the runner knows: a {@link VirtualClock}
 * whose time is the child's, and a {@link Connector} whose log is the child's connection log. The
 * counters and the timer count are the ones the latest reply carried, so they read synchronously.
 */
export class RemoteSession {
  readonly events: ConnectorEvent[] = [];
  counters: PoolCounters = { idle: 0, size: 0, waiting: 0 };
  timers = 0;
  /** Virtual ms: the child's time as of the latest reply, plus blocks sent since. */
  at = 0;
  /** A failure of a request nobody awaits (a block), reported by the next clock call. */
  private deferred: string | null = null;
  /** The wake phases the child's hello announced; before it, and left out, timers only. */
  private phases: readonly WakePhase[] = ['timers'];
  readonly process: RemoteProcess;

  constructor(options: RemoteProcessOptions) {
    this.process = new RemoteProcess({ ...options, onState: (state) => this.onState(state) });
    this.clock = this.makeClock();
  }

  /** The version handshake. Rejects when the child speaks another protocol or cannot run. */
  async hello(): Promise<Hello> {
    const hello = (await this.process.request({ op: 'hello', protocol: PROTOCOL_VERSION })) as Hello | null;
    if (hello === null || typeof hello !== 'object' || hello.protocol !== PROTOCOL_VERSION) {
      throw new RemoteProcessError(`the pool process answered hello with ${JSON.stringify(hello)}; poolcheck speaks protocol ${PROTOCOL_VERSION}`);
    }
    const phases = helloWakePhases(hello);
    if (typeof phases === 'string') throw new RemoteProcessError(`the pool process answered hello with ${JSON.stringify(hello)}: ${phases}`);
    this.phases = phases;
    return hello;
  }

  request(request: Request): Promise<unknown> {
    return this.process.request(request);
  }

  private onState(state: ReplyState): void {
    this.at = Math.max(this.at, state.at);
    this.counters = state.counters;
    this.timers = state.timers;
    this.events.push(...state.events);
  }

  readonly clock: VirtualClock;

  private makeClock(): VirtualClock {
    const phases = (): readonly WakePhase[] => this.phases;
    return {
      now: () => this.at,
      sleep: (ms) => this.clockCall({ op: 'sleep', ms }),
      blockSync: (ms) => {
        // Synchronous by contract: the request goes out now and its reply (the same counters) is
        // read whenever it comes; the child runs nothing until the wake.
        this.at += ms;
        this.process.request({ op: 'block', ms }).catch((error: unknown) => {
          this.deferred ??= `block(${ms}) failed: ${(error as Error).message}`;
        });
      },
      // A wake carries its phase only to a child that announced phases in its hello; one that did
      // not wakes its loop its own way (asyncio runs the callbacks the woken code queued, then the
      // overdue timers), and only the timers phase is drawn for it.
      wake: (phase?: WakePhase) => this.clockCall(this.phases.length > 1 ? { op: 'wake', phase: phase ?? 'timers' } : { op: 'wake' }),
      get wakePhases(): readonly WakePhase[] {
        return phases();
      },
      settle: async (done = () => true) => {
        const settled = await this.clockCall({ op: 'settle' });
        if (!settled.ok) return settled;
        if (done()) return settledOk;
        return { ok: false, reason: `nothing is due at ${this.at} ms and the operation is still pending in the pool process`, quiet: true };
      },
      pendingTimers: () => this.timers,
      // The child's clock goes with the child; `dispose` ends both.
      uninstall: () => undefined,
    };
  }

  /**
   * A clock request. The child answers every pool request that finished before it answers this
   * one, so once it is answered, one turn of the real loop lets their callers see the results.
   */
  private async clockCall(request: Request): Promise<Settled> {
    try {
      await this.process.request(request);
    } catch (error) {
      return { ok: false, reason: (error as Error).message, error };
    }
    await new Promise<void>((resolve) => realSetImmediate(resolve));
    if (this.deferred !== null) {
      const reason = this.deferred;
      this.deferred = null;
      return { ok: false, reason };
    }
    return settledOk;
  }

  readonly connector: Connector = {
    connect: (): Promise<Connection> =>
      Promise.reject(new Error('poolcheck: the pool process opens its own connections; a remote connector has no connect()')),
    events: this.events,
    liveIds: () => {
      const live = new Set<number>();
      for (const e of this.events) {
        if (e.type === 'create') live.add(e.id);
        else if (e.type === 'destroy') live.delete(e.id);
      }
      return [...live];
    },
    dispose: () => Promise.resolve(),
  };
}
