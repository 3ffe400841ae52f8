import type { ConnectorEvent } from '../connectors/types.js';
import type { Counters } from '../model/observe.js';

/** One executed step of a run, as printed in a counterexample. */
export interface TraceStep {
  readonly index: number;
  readonly command: string;
  /** Virtual time after the step, ms since the run started. */
  readonly at: number;
  readonly predicted: string;
  readonly observed: string;
  readonly violation?: string;
  /** The model's counters after the step, as numbers; absent on a step that failed midway. */
  readonly expected?: Counters;
  /** The pool's counters after the step, as numbers; absent on a step that failed midway. */
  readonly actual?: Counters;
}

/** Something that happened to one connection during trace step `step`, at virtual time `at`. */
export interface LifelineMark {
  readonly kind: 'create' | 'acquire' | 'query' | 'release' | 'break' | 'destroy';
  readonly at: number;
  readonly step: number;
}

/**
 * An idle period's expiry window as the model last saw it: the connection must close between
 * `from` and `to` (one instant for a per-connection timer), unless an acquire takes it first.
 */
export interface ExpiryWindow {
  readonly idleSince: number;
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  /** What ended the idle period before the connection closed on its own: an acquire, or the pool's close. */
  readonly ended: { readonly by: 'acquire' | 'close'; readonly at: number } | null;
}

/** One connection's life in a recorded run: what happened to it, in order, and its expiry windows. */
export interface Lifeline {
  readonly id: number;
  readonly marks: readonly LifelineMark[];
  readonly expiries: readonly ExpiryWindow[];
}

/** What a recorded run adds for drawing its timeline: the connector's log and a lifeline per connection. */
export interface TimelineData {
  readonly events: readonly ConnectorEvent[];
  readonly lifelines: readonly Lifeline[];
}
