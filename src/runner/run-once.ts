import type fc from 'fast-check';
import type { PoolAdapter } from '../adapters/types.js';
import { closeGracefully, type CommandJson, type PoolCommand } from '../commands/index.js';
import type { Connector, ConnectorOptions } from '../connectors/types.js';
import { minOf, type PoolConfig } from '../model/semantics.js';
import { initialState } from '../model/state.js';
import { poolCreated } from '../model/transitions.js';
import { violation, type Violation } from '../model/violation.js';
import { Harness, type ModelBox } from './harness.js';
import { openRuntime } from './runtime.js';
import { createMustFail, createRefused } from './create-refused.js';
import { checkServer, withServerChecks } from './server-check.js';
import type { TimelineData, TraceStep } from './trace.js';
import { DefinitionError, PropertyViolationError } from './violation-error.js';

export type ConnectorFactory = (options: ConnectorOptions) => Connector;

/** What one run found. A value: the vitest helper and the CLI decide what a failure means. */
export interface RunOutcome {
  readonly violation: Violation | null;
  readonly trace: readonly TraceStep[];
  readonly commands: number;
  /** The commands that ran, as stable JSON. */
  readonly commandList: readonly CommandJson[];
  /** Virtual time the run covered, ms. */
  readonly virtualMs: number;
  /** When recording: the connector's log and each connection's lifeline, for the timeline pictures. */
  readonly timeline?: TimelineData;
}

/**
 * One run: a fresh fake clock, connector and pool; the commands; then the end-of-run checks
 * (every connection destroyed exactly once, no timer left). The clock is always uninstalled.
 */
export async function runOnce(
  adapter: PoolAdapter,
  config: PoolConfig,
  commands: Iterable<PoolCommand>,
  makeConnector: ConnectorFactory,
  record = false,
  /** Run every command, and refuse one whose precondition fails, as a saved list must. */
  strict = false,
): Promise<RunOutcome> {
  // The fake clock and a connector, or the adapter's own (a pool in another process).
  const { clock, connector, end } = await openRuntime(adapter, makeConnector);
  // Until the pool exists the harness holds none; it only records a failure to create one.
  let h = new Harness(adapter, null, clock, connector, record);
  let closed = false;
  try {
    if (createMustFail(config, adapter.semantics)) {
      closed = true;
      return outcome(h, await createRefused(h, config), clock.now());
    }
    h.current = 'create pool';
    const pool = await h.settle(() => adapter.create({ config, connector }), 'creating the pool');
    h = new Harness(adapter, pool, clock, connector, record);
    const initial = initialState(config, adapter.semantics);
    // A real server's connects land by I/O, after the timers at their instant: the model orders them so.
    const box: ModelBox = { state: connector.connectsLand === 'by-io' ? { ...initial, connectsLandByIo: true } : initial };
    const opened = connector.events.filter((e) => e.type === 'create').map((e) => e.id);
    const opens = minOf(adapter.semantics).opens;
    const expectOpened = opens === 'on-create' ? config.minSize : 0;
    h.current = 'create pool';
    if (opened.length !== expectOpened) {
      h.fail('unexpected-create', `creating the pool opened ${opened.length} connection(s); the declared semantics expect ${expectOpened} (minSize ${config.minSize}, min first opened: ${opens})`);
    }
    // Put in words only for a trace, which a passing run does not keep.
    const created = { toString: () => `create pool (min ${config.minSize}, max ${config.maxSize}, lifetime ${config.lifetimeMs} ms${config.acquireTimeoutMs === undefined ? '' : `, acquire timeout ${config.acquireTimeoutMs} ms`})` };
    h.finishStep(box, { command: created, next: poolCreated(box.state, opened), expectCreated: opened });
    // Only a real server has a count of its own to check: pg-mem's runs skip even the await.
    if (connector.verify !== undefined) await checkServer(h, 'create pool');
    // With a real server behind the connector, the server's own count is checked after every command.
    const checked = connector.verify === undefined ? commands : withServerChecks(commands);
    if (strict) await runEvery(box, h, checked);
    else await runDrawn(box, h, checked);
    if (box.state.phase !== 'closed') await closeGracefully(box, h, 'close() at end of run');
    closed = true;
    if (connector.verify !== undefined) await checkServer(h, 'close() at end of run');
    const end = endOfRunViolation(h);
    if (end !== null && record) h.trace.push({ index: h.trace.length, command: 'end of run', at: clock.now(), predicted: 'every connection destroyed once, no timer pending', observed: end.message, violation: end.message });
    return outcome(h, end, clock.now());
  } catch (error) {
    if (!(error instanceof PropertyViolationError)) throw error;
    h.recordFailure(error);
    return outcome(h, error.violation, clock.now());
  } finally {
    // A run that failed midway still owns its pool: terminate it (bounded, like every call) so a
    // real server is not left holding its connections.
    if (!closed && h.pool !== null) await h.settle(() => adapter.terminate(h.pool), 'terminate() after a failure').catch(() => undefined);
    await end();
  }
}

/**
 * What `fc.asyncModelRun` does with drawn commands: each whose precondition holds runs, in order,
 * until one throws. Without its chain of a promise per command and an awaited precondition, which
 * cost more than some steps. The commands are fast-check's wrappers, which record which of them
 * ran, so shrinking and replay paths are as fast-check's own runner leaves them.
 */
async function runDrawn(box: ModelBox, h: Harness, commands: Iterable<fc.AsyncCommand<ModelBox, Harness>>): Promise<void> {
  for (const command of commands) if (command.check(box)) await command.run(box, h);
}

/**
 * fast-check skips a command whose precondition fails; a saved command list must not silently
 * become a different test, so a step that no longer applies is an error naming it.
 */
async function runEvery(box: ModelBox, h: Harness, commands: Iterable<fc.AsyncCommand<ModelBox, Harness>>): Promise<void> {
  let step = 0;
  for (const command of commands) {
    step++;
    if (!command.check(box)) {
      throw new DefinitionError(`step ${step}, ${String(command)}, does not apply: the pool is ${box.state.phase} with connection(s) ${describeBusy(box)} in use`);
    }
    await command.run(box, h);
  }
}

function describeBusy(box: ModelBox): string {
  const busy = box.state.conns.filter((c) => c.state === 'busy').map((c) => `#${c.id}`);
  return busy.length === 0 ? 'none' : busy.join(', ');
}

function outcome(h: Harness, found: Violation | null, virtualMs: number): RunOutcome {
  const commandList = h.begun.map((c) => c.toJson()).filter((c): c is CommandJson => c !== null);
  const base = { violation: found, trace: h.trace, commands: h.commandsRun, commandList, virtualMs };
  if (!h.record) return base;
  // Whatever the log gained after the last step (a close that failed midway) belongs to it.
  h.lifelines().step(Math.max(0, h.trace.length - 1), h.connector.events);
  return { ...base, timeline: h.lifelines().data(h.connector.events) };
}

function endOfRunViolation(h: Harness): Violation | null {
  const now = h.clock.now();
  const destroys = new Map<number, number>();
  for (const e of h.connector.events) if (e.type === 'destroy') destroys.set(e.id, (destroys.get(e.id) ?? 0) + 1);
  for (const e of h.connector.events) {
    if (e.type !== 'create') continue;
    const count = destroys.get(e.id) ?? 0;
    if (count === 0) return violation('leaked-connection', now, `connection #${e.id} was never destroyed after the pool closed`, e.id);
    if (count > 1) return violation('destroyed-twice', now, `connection #${e.id} was destroyed ${count} times`, e.id);
  }
  const timers = h.clock.pendingTimers();
  if (timers > 0) return violation('timer-left-pending', now, `${timers} timer(s) still pending after the pool closed; a closed pool must cancel its timers`);
  return null;
}
