import type { AdapterRuntime, PoolAdapter } from '../adapters/types.js';
import type { Connector } from '../connectors/types.js';
import type { Semantics } from '../model/semantics.js';
import { DefinitionError } from '../runner/violation-error.js';
import { RemoteSession } from './session.js';

export interface RemoteAdapterOptions {
  /** Shown in summaries and counterexamples. */
  readonly name: string;
  /** The expiry semantics the pool in the child promises. */
  readonly semantics: Semantics;
  /** The program that speaks the protocol, e.g. a Python interpreter. */
  readonly command: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Passed with `create` as `options`: whatever the bridge needs (a server URL, say). */
  readonly createOptions?: Readonly<Record<string, unknown>>;
  /** Longest real wait for a reply while a request is pending, ms. Default 30 000. */
  readonly replyTimeoutMs?: number;
}

/** A connection in use, as the parent sees it: the id the child's connector gave it. */
export interface RemoteConnection {
  readonly id: number;
}

const sessions = new WeakMap<Connector, RemoteSession>();

/**
 * An adapter for a pool in another process or language, driven over the JSON-lines protocol
 * (README, "Pools in other languages"). Each run starts one child, whose virtual clock and
 * connection log replace the fake clock and the connector; the child is killed when the run ends.
 *
 * @example
 * const adapter = remoteAdapter({ name: 'my-pool', semantics, command: 'python3', args: ['bridge.py'] });
 * await check({ adapter, numRuns: 20 });
 */
export function remoteAdapter(options: RemoteAdapterOptions): PoolAdapter<RemoteSession, RemoteConnection> {
  if (typeof options.command !== 'string' || options.command === '') throw new DefinitionError('poolcheck: remoteAdapter needs `command`, the program that speaks the JSON-lines protocol');
  const label = options.name;
  const session = (connector: Connector): RemoteSession => {
    const found = sessions.get(connector);
    if (found === undefined) throw new DefinitionError(`poolcheck: adapter '${label}' runs its pool in another process and must be given the connector of its own runtime (run it through check(), replay() or runSeedScenario())`);
    return found;
  };
  return {
    name: options.name,
    semantics: options.semantics,
    runtime: async (): Promise<AdapterRuntime> => {
      const s = new RemoteSession({
        command: options.command,
        label,
        ...(options.args === undefined ? {} : { args: options.args }),
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
      });
      try {
        await s.hello();
      } catch (error) {
        await s.process.dispose();
        throw error;
      }
      sessions.set(s.connector, s);
      return { clock: s.clock, connector: s.connector, dispose: () => s.process.dispose() };
    },
    create: async ({ config, connector }) => {
      const s = session(connector);
      await s.request({ op: 'create', config: { minSize: config.minSize, maxSize: config.maxSize, lifetimeMs: config.lifetimeMs }, options: options.createOptions ?? {} });
      return s;
    },
    acquire: async (s) => {
      const result = (await s.request({ op: 'acquire' })) as { connection?: unknown } | null;
      const id = result?.connection;
      if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new Error(`protocol error: acquire answered ${JSON.stringify(result)}; expected { "connection": <id> }`);
      return { id };
    },
    release: async (s, conn) => {
      await s.request({ op: 'release', connection: conn.id });
    },
    query: (s, conn, sql) => s.request({ op: 'query', connection: conn.id, sql }),
    connectionId: (conn) => conn.id,
    counters: (s) => s.counters,
    close: async (s) => {
      await s.request({ op: 'close' });
    },
    terminate: async (s) => {
      await s.request({ op: 'terminate' });
    },
  };
}
