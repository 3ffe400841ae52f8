import type { PoolAdapter } from '../adapters/types.js';
import type { VirtualClock } from '../clock/clock.js';
import { installFakeClock } from '../clock/fake.js';
import type { Connector, ConnectorOptions } from '../connectors/types.js';

export interface RunRuntime {
  readonly clock: VirtualClock;
  readonly connector: Connector;
  /** Uninstalls the clock and disposes of the connector (and of the adapter's runtime). Never throws. */
  end(): Promise<void>;
}

/**
 * The clock and connector of one run: the adapter's own when it brings them (a pool in another
 * process), else a fresh fake clock and a connector from `makeConnector` (whose real-server I/O,
 * if any, the clock waits for).
 */
export async function openRuntime(adapter: PoolAdapter, makeConnector: (options: ConnectorOptions) => Connector): Promise<RunRuntime> {
  if (adapter.runtime !== undefined) {
    const own = await adapter.runtime();
    return {
      clock: own.clock,
      connector: own.connector,
      end: async () => {
        own.clock.uninstall();
        await own.connector.dispose().catch(() => undefined);
        await own.dispose().catch(() => undefined);
      },
    };
  }
  const clock = installFakeClock();
  const connector = makeConnector({ now: () => clock.now() });
  // A real server's I/O takes real time; the clock waits for it, so it takes no virtual time.
  if (connector.external !== undefined) clock.waitFor(connector.external);
  return {
    clock,
    connector,
    end: async () => {
      clock.uninstall();
      await connector.dispose();
    },
  };
}
