import { AcquireCommand } from './acquire.js';
import { AsyncSleepCommand } from './async-sleep.js';
import { BlockingSleepCommand } from './blocking-sleep.js';
import { CloseCommand } from './close.js';
import type { PoolCommand } from './index.js';
import type { CommandJson } from './json.js';
import { QueryCommand } from './query.js';
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
      return new BlockingSleepCommand({ kind: 'fixed', ms }, c['acquireOnWake']);
    }
    case 'close':
      return new CloseCommand();
    case 'terminate':
      return new TerminateCommand();
    default:
      return `unknown op ${JSON.stringify(c['op'])}; ops are acquire, release, query, sleep, blockingSleep, close, terminate`;
  }
}
