import { AcquireCommand } from './acquire.js';
import { AsyncSleepCommand } from './async-sleep.js';
import { BlockingSleepCommand } from './blocking-sleep.js';
import { BreakIdleCommand } from './break-idle.js';
import { BurstCommand } from './burst.js';
import { CloseCommand } from './close.js';
import { DestroyCommand } from './destroy.js';
import { FailConnectCommand } from './fail-connect.js';
import type { PoolCommand } from './index.js';
import type { CommandJson } from './json.js';
import { DEFAULT_WAKE_PHASE, WAKE_PHASES, type WakePhase } from '../model/handoff.js';
import { QueryCommand } from './query.js';
import { SlowConnectCommand } from './slow-connect.js';
import { ReleaseCommand } from './release.js';
import { TerminateCommand } from './terminate.js';

/**
 * Builds the command a saved JSON command describes, every choice fixed. Returns a reason instead
 * when the JSON is not a command, so the caller can name the file and the step.
 */
export function commandFromJson(json: unknown): PoolCommand | string {
  if (typeof json !== 'object' || json === null) return `expected an object like { "op": "acquire" }, got ${JSON.stringify(json)}`;
  const c = json as Record<string, unknown>;
  const whole = (field: string, min: number): number | string => {
    const v = c[field];
    return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : `"${String(c['op'])}" needs "${field}", a whole number >= ${min}, got ${JSON.stringify(v)}`;
  };
  switch (c['op'] as CommandJson['op']) {
    case 'acquire':
      return new AcquireCommand();
    case 'release': {
      const id = whole('connection', 1);
      return typeof id === 'string' ? id : new ReleaseCommand(0, id);
    }
    case 'query': {
      const id = whole('connection', 1);
      if (typeof id === 'string') return id;
      if (c['sql'] !== 'SELECT 1') return `"query" runs "SELECT 1" only, got ${JSON.stringify(c['sql'])}`;
      return new QueryCommand(0, id);
    }
    case 'sleep': {
      const ms = whole('ms', 0);
      return typeof ms === 'string' ? ms : new AsyncSleepCommand({ kind: 'fixed', ms });
    }
    case 'blockingSleep': {
      const ms = whole('ms', 0);
      if (typeof ms === 'string') return ms;
      if (typeof c['acquireOnWake'] !== 'boolean') return `"blockingSleep" needs "acquireOnWake", true or false, got ${JSON.stringify(c['acquireOnWake'])}`;
      const phase = c['phase'] ?? DEFAULT_WAKE_PHASE;
      if (!WAKE_PHASES.includes(phase as WakePhase)) return `"blockingSleep" takes "phase", ${WAKE_PHASES.map((p) => JSON.stringify(p)).join(' or ')} (left out: "${DEFAULT_WAKE_PHASE}"), got ${JSON.stringify(c['phase'])}`;
      return new BlockingSleepCommand({ kind: 'fixed', ms }, c['acquireOnWake'], phase as WakePhase, true);
    }
    case 'burst': {
      const count = whole('count', 2);
      return typeof count === 'string' ? count : new BurstCommand(count);
    }
    case 'destroy': {
      const id = whole('connection', 1);
      return typeof id === 'string' ? id : new DestroyCommand(0, id);
    }
    case 'failNextConnect':
      return new FailConnectCommand();
    case 'slowNextConnect': {
      const ms = whole('ms', 1);
      return typeof ms === 'string' ? ms : new SlowConnectCommand(ms);
    }
    case 'breakIdle': {
      const id = whole('connection', 1);
      return typeof id === 'string' ? id : new BreakIdleCommand(0, id);
    }
    case 'close':
      return new CloseCommand();
    case 'terminate':
      return new TerminateCommand();
    default:
      return `unknown op ${JSON.stringify(c['op'])}; ops are acquire, burst, release, destroy, query, sleep, blockingSleep, failNextConnect, slowNextConnect, breakIdle, close, terminate`;
  }
}
