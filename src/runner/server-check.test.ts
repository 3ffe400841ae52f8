import { afterEach, describe, expect, it } from 'vitest';
import { ownPoolAdapter } from '../adapters/own.js';
import type { PoolAdapter } from '../adapters/types.js';
import { uninstallAllClocks } from '../clock/fake.js';
import { createPgMemConnector } from '../connectors/pgmem.js';
import type { Connector, ConnectorOptions } from '../connectors/types.js';
import { formatResult } from '../report/text.js';
import { check } from './check.js';
import { replay } from './replay.js';

afterEach(() => uninstallAllClocks());

/**
 * pg-mem, with a server check that lies once the connector has opened `after` connections: the
 * runner must ask after every command and fail the run on the first disagreement.
 */
function lyingConnector(after: number, asked: { count: number }): (options: ConnectorOptions) => Connector {
  return (options) => {
    const inner = createPgMemConnector(options);
    return Object.assign(Object.create(inner) as Connector, {
      verify: (): Promise<string | null> => {
        asked.count++;
        const opened = inner.events.filter((e) => e.type === 'create').length;
        return Promise.resolve(opened >= after ? `the server lists 0 backend(s), the connector ${inner.liveIds().length} open connection(s)` : null);
      },
    });
  };
}

describe('the runner asks a connector with verify() after every command', () => {
  it('after the pool is created, after each command and after the closing close', async () => {
    const asked = { count: 0 };
    const run = await replay(ownPoolAdapter() as PoolAdapter, { minSize: 0, maxSize: 2, lifetimeMs: 1000 }, [{ op: 'sleep', ms: 5 }, { op: 'sleep', ms: 5 }, { op: 'sleep', ms: 5 }], lyingConnector(1, asked));
    expect(run.violation).toBeNull();
    expect(asked.count).toBe(1 + 3 + 1);
  });

  it('fails a disagreement as server-disagrees, with the check as the failing step', async () => {
    const asked = { count: 0 };
    const list = [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'acquire' }];
    const run = await replay(ownPoolAdapter() as PoolAdapter, { minSize: 0, maxSize: 2, lifetimeMs: 1000 }, list, lyingConnector(1, asked));
    expect(run.violation?.kind).toBe('server-disagrees');
    expect(run.violation?.message).toBe('the server lists 0 backend(s), the connector 1 open connection(s)');
    expect(run.trace.filter((s) => s.violation !== undefined).map((s) => s.command)).toEqual(['server check after acquire()']);
    expect(run.commands).toBe(1);
  });

  it('keeps shrinking working: a disagreement after every command shrinks to none, failing at the closing check', async () => {
    const lying = (options: ConnectorOptions): Connector => {
      const inner = createPgMemConnector(options);
      let calls = 0;
      // The check after the pool's creation agrees; every later one does not.
      return Object.assign(Object.create(inner) as Connector, { verify: () => Promise.resolve(++calls > 1 ? 'the server disagrees' : null) });
    };
    const result = await check({ adapter: ownPoolAdapter() as PoolAdapter, connector: lying, numRuns: 20, seed: 3 });
    const report = formatResult(result);
    expect(result.failure?.violation.kind, report).toBe('server-disagrees');
    expect(result.failure?.commandList, report).toEqual([]);
    expect(result.failure?.reproduced, report).toBe(true);
    expect(result.failure?.steps.at(-1)?.command, report).toBe('server check after close() at end of run');
  });

  it('leaves a connector without verify() alone', async () => {
    const result = await check({ adapter: ownPoolAdapter() as PoolAdapter, numRuns: 5, seed: 3 });
    expect(result.passed, formatResult(result)).toBe(true);
  });
});
