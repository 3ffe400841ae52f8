import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PoolAdapter } from '../adapters/types.js';
import { asyncpgSemantics, noCapabilities, type Semantics } from '../model/semantics.js';
import { DefinitionError } from '../runner/violation-error.js';
import { remoteAdapter, type RemoteConnection } from './adapter.js';
import type { RemoteSession } from './session.js';

/**
 * What asyncpg's Pool does, measured against asyncpg 0.31: poolcheck's own pool's semantics,
 * except that a graceful close waits for every connection in use to be released before it closes
 * any, idle ones included (`Pool.close` gathers `wait_until_released` first). An acquire at max
 * waits in the pool's queue, whose getters are served first in first out as holders come back.
 * No faults are generated (the connections are asyncpg's own, so none can be injected at them),
 * nor acquire timeouts (asyncpg has only a per-call one).
 */
export const asyncpgPoolSemantics: Semantics = {
  ...asyncpgSemantics,
  gracefulClose: 'after-last-release',
  capabilities: { ...noCapabilities, waiters: true },
};

/** The local server `scripts/postgres.sh` starts. */
export const DEFAULT_ASYNCPG_DSN = 'postgres://poolcheck:poolcheck@127.0.0.1:5432/poolcheck';

export interface AsyncpgAdapterOptions {
  /** A Python that imports asyncpg. Default: POOLCHECK_PYTHON, else the venv scripts/asyncpg-setup.sh makes. */
  readonly python?: string;
  /** The server the pool connects to. Default: DATABASE_URL, else {@link DEFAULT_ASYNCPG_DSN}. */
  readonly dsn?: string;
  /** Default {@link asyncpgPoolSemantics}; override to show that a wrong declaration fails. */
  readonly semantics?: Semantics;
  readonly name?: string;
  /**
   * asyncpg 0.31 leaves the inactivity timer of every connection that was idle at `close()` or
   * `terminate()` armed; it fires later and does nothing, but poolcheck's end-of-run check reports
   * it as `timer-left-pending`. With this on, the bridge cancels those timers once the pool is
   * closed, so the rest of the properties can be checked. Default false: the pool as it is.
   */
  readonly tidyTimersAfterClose?: boolean;
  /** Longest real wait for a reply, ms. Default 30 000. */
  readonly replyTimeoutMs?: number;
}

/** The bridge script, next to this module in the sources (tsc does not copy it to dist/). */
export function asyncpgBridgePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, 'asyncpg/poolcheck_asyncpg.py'), resolve(here, '../../src/remote/asyncpg/poolcheck_asyncpg.py')];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new DefinitionError(`poolcheck: the asyncpg bridge (poolcheck_asyncpg.py) is not at ${candidates.join(' or ')}`);
  return found;
}

/** The Python the asyncpg adapter runs by default, or null when there is none. */
export function defaultAsyncpgPython(): string | null {
  const fromEnv = process.env['POOLCHECK_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const root = resolve(dirname(asyncpgBridgePath()), '../../..');
  const venv = resolve(root, 'node_modules/.cache/poolcheck-asyncpg-venv/bin/python');
  return existsSync(venv) ? venv : null;
}

/**
 * asyncpg's real `Pool`, in a Python process, under poolcheck's virtual time: `loop.time()` is the
 * run's clock, and idle expiry is asyncpg's own `call_later`. Needs Python with asyncpg
 * (`scripts/asyncpg-setup.sh`) and a PostgreSQL server (`scripts/postgres.sh`).
 *
 * @example
 * poolProperties(asyncpgAdapter(), { numRuns: 20 });
 */
export function asyncpgAdapter(options: AsyncpgAdapterOptions = {}): PoolAdapter<RemoteSession, RemoteConnection> {
  const python = options.python ?? defaultAsyncpgPython();
  if (python === null) {
    throw new DefinitionError('poolcheck: no Python with asyncpg for the asyncpg adapter: run scripts/asyncpg-setup.sh, or set POOLCHECK_PYTHON to a Python that imports asyncpg');
  }
  const tidy = options.tidyTimersAfterClose ?? false;
  return remoteAdapter({
    name: options.name ?? (tidy ? 'asyncpg (timers tidied after close)' : 'asyncpg'),
    semantics: options.semantics ?? asyncpgPoolSemantics,
    command: python,
    args: [asyncpgBridgePath()],
    createOptions: { dsn: options.dsn ?? process.env['DATABASE_URL'] ?? DEFAULT_ASYNCPG_DSN, tidyTimersAfterClose: tidy },
    ...(options.replyTimeoutMs === undefined ? {} : { replyTimeoutMs: options.replyTimeoutMs }),
  });
}
