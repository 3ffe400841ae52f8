import type { PoolCounters } from '../adapters/types.js';
import { expectedCounters, formatCounters } from '../model/observe.js';
import { idleCount, sizeOf, type ModelState } from '../model/state.js';
import { violation, type Violation } from '../model/violation.js';

/**
 * Named predicates checked after every command, once the model has learnt from the connector's
 * log which connections went. They stand apart from the commands so each reads as one rule.
 */
export interface StepView {
  readonly state: ModelState;
  readonly observed: PoolCounters;
  /** Ids the connector holds open. */
  readonly connectorLive: readonly number[];
}

export interface Invariant {
  readonly name: string;
  check(view: StepView): Violation | null;
}

export const countersMatchModel: Invariant = {
  name: 'counters match the model',
  check({ state, observed }) {
    // Checked after every step: the counters are compared as numbers, and an object made only to say what differs.
    const waitingOk = observed.waiting === undefined || observed.waiting === state.waiters.length;
    if (waitingOk && observed.idle === idleCount(state) && observed.size === sizeOf(state)) return null;
    const expected = expectedCounters(state);
    return violation(
      'count-mismatch',
      state.now,
      `the pool reported ${formatCounters({ ...expected, ...observed, waiting: observed.waiting ?? expected.waiting })}, the model expected ${formatCounters(expected)}`,
    );
  },
};

export const sizeWithinMax: Invariant = {
  name: 'size never exceeds max',
  check({ state, observed, connectorLive }) {
    const size = Math.max(observed.size, connectorLive.length);
    if (size <= state.config.maxSize) return null;
    return violation('over-max', state.now, `${size} connections open, above maxSize ${state.config.maxSize}`);
  },
};

export const connectorAgreesWithModel: Invariant = {
  name: 'the open connections are the ones the model holds open',
  check({ state, connectorLive }) {
    const accounted = (id: number): boolean => state.conns.some((c) => c.id === id && c.state !== 'gone');
    // Checked after every step, and nearly always holds: the list of leaks is built only when it
    // does not, and the common answer takes one pass with no closure (both lists ascend by id).
    if (allAccounted(state.conns, connectorLive)) return null;
    const leaked = connectorLive.filter((id) => !accounted(id));
    return violation('leaked-connection', state.now, `connection(s) ${leaked.map((id) => `#${id}`).join(', ')} are open at the server but the pool no longer accounts for them`, leaked[0]);
  },
};

/**
 * Whether every id in `live` belongs to a connection of `conns` that is not gone. Both lists
 * usually ascend by id (connections are added as they open, ids taken in that order), so one
 * merge pass answers; where they do not, the plain search does.
 */
function allAccounted(conns: readonly ModelState['conns'][number][], live: readonly number[]): boolean {
  let j = 0;
  for (const id of live) {
    while (j < conns.length && conns[j]!.id < id) j++;
    const conn = conns[j];
    if (conn !== undefined && conn.id === id && conn.state !== 'gone') continue;
    return live.every((x) => conns.some((c) => c.id === x && c.state !== 'gone'));
  }
  return true;
}

export const stepInvariants: readonly Invariant[] = [sizeWithinMax, connectorAgreesWithModel, countersMatchModel];
