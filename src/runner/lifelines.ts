import type { ConnectorEvent } from '../connectors/types.js';
import type { ModelState } from '../model/state.js';
import type { Violation, ViolationKind } from '../model/violation.js';
import { windowOf } from '../model/windows.js';
import type { ExpiryWindow, Lifeline, LifelineMark, TimelineData } from './trace.js';

/** Violations that mean the pool handed a connection out, though not the one the model allowed. */
const HANDED_OUT: ReadonlySet<ViolationKind> = new Set(['wrong-connection', 'handed-out-twice', 'handed-out-destroyed', 'served-after-timeout', 'acquire-not-rejected']);

/**
 * The connection a violation says the pool handed out at `at`, so the lifeline shows the acquire
 * the model refused; `null` for any other violation.
 */
export function handedOut(v: Violation | null, at: number): { readonly id: number; readonly at: number } | null {
  return v !== null && HANDED_OUT.has(v.kind) && v.connectionId !== undefined ? { id: v.connectionId, at } : null;
}

/** Within one step, one connection's marks read in the order they must have happened. */
const RANK: Record<LifelineMark['kind'], number> = { create: 0, acquire: 1, query: 2, release: 3, break: 4, destroy: 5 };

interface Building {
  readonly id: number;
  readonly marks: LifelineMark[];
  readonly expiries: ExpiryWindow[];
}

/**
 * Builds a lifeline per connection while a recorded run goes, for the timeline pictures. Only a
 * recording harness makes one, so passing runs pay nothing for it.
 *
 * Creation, queries, breaks and destruction come from the connector's log (what really happened);
 * acquires and releases from the model's transition for the step (which connection the caller got
 * or gave back); expiry windows from the model's state after the step.
 */
export class LifelineRecorder {
  private seen = 0;
  private readonly lines = new Map<number, Building>();

  /**
   * Takes one finished step: the connector events since the last step; the connections acquired
   * or released (`before` against `answered`, the model once the acquires this step answered are
   * applied; a release handed straight to a waiter is both, read from `next`'s answers); and the
   * expiry windows of idle connections in `after`. Without states, only the events are taken.
   * `refused` is a connection the pool handed out against the model (see {@link handedOut}).
   */
  step(index: number, events: readonly ConnectorEvent[], states?: { before: ModelState; next: ModelState; answered: ModelState; after: ModelState }, refused: { readonly id: number; readonly at: number } | null = null): void {
    const found: { id: number; mark: LifelineMark; rank?: number }[] = [];
    for (let i = this.seen; i < events.length; i++) {
      const e = events[i]!;
      // A validation is a step of an acquire, which the lifeline marks already.
      if (e.type !== 'connect-failed' && e.type !== 'connect-began' && e.type !== 'validate') found.push({ id: e.id, mark: { kind: e.type, at: e.at, step: index } });
    }
    this.seen = events.length;
    if (states !== undefined) {
      const { before, next, answered, after } = states;
      const at = after.now;
      const was = (id: number): string | undefined => before.conns.find((c) => c.id === id)?.state;
      for (const conn of answered.conns) {
        if (conn.state === 'busy' && was(conn.id) !== 'busy') {
          found.push({ id: conn.id, mark: { kind: 'acquire', at, step: index } });
          this.endIdle(conn.id, 'acquire', at);
        } else if (conn.state === 'idle' && was(conn.id) === 'busy') {
          found.push({ id: conn.id, mark: { kind: 'release', at, step: index } });
        }
      }
      for (const answer of next.answers) {
        const id = answer.outcome === 'served' && answer.candidates.length === 1 ? answer.candidates[0]! : null;
        if (id === null || was(id) !== 'busy' || answered.conns.find((c) => c.id === id)?.state !== 'busy') continue;
        // Handed straight to a waiter: released, then acquired again.
        found.push({ id, mark: { kind: 'release', at, step: index } }, { id, mark: { kind: 'acquire', at, step: index }, rank: RANK.release + 0.5 });
      }
    }
    if (refused !== null && !found.some((f) => f.id === refused.id && f.mark.kind === 'acquire')) {
      found.push({ id: refused.id, mark: { kind: 'acquire', at: refused.at, step: index } });
    }
    // Stable: marks of one kind keep the log's order.
    found.sort((a, b) => a.id - b.id || (a.rank ?? RANK[a.mark.kind]) - (b.rank ?? RANK[b.mark.kind]));
    for (const { id, mark } of found) this.line(id).marks.push(mark);
    if (states !== undefined) this.windows(states.after);
    // The pool holds it, whatever the model says: its idle period is over.
    if (refused !== null) this.endIdle(refused.id, 'acquire', refused.at);
  }

  /** The lifelines so far, in connection order, with the connector's whole log. */
  data(events: readonly ConnectorEvent[]): TimelineData {
    const lifelines: Lifeline[] = [...this.lines.values()].sort((a, b) => a.id - b.id).map((l) => ({ id: l.id, marks: [...l.marks], expiries: [...l.expiries] }));
    return { events: [...events], lifelines };
  }

  private windows(state: ModelState): void {
    for (const conn of state.conns) {
      // A connection the close took had its last window ended by the close.
      if (conn.state === 'gone' && state.closingAt !== null && conn.goneAt !== null && conn.goneAt >= state.closingAt) this.endIdle(conn.id, 'close', state.closingAt);
      if (conn.state !== 'idle' || conn.idleSince === null) continue;
      const w = windowOf(state, conn);
      if (w?.cause === 'close') this.endIdle(conn.id, 'close', w.from);
      if (w === null || w.cause !== 'expiry') continue;
      const line = this.line(conn.id);
      const window: ExpiryWindow = { idleSince: conn.idleSince, from: w.from, to: w.to, reason: w.reason, ended: null };
      // The same idle period keeps one window, the latest the model gave (a block can move it).
      const last = line.expiries.length - 1;
      if (last >= 0 && line.expiries[last]!.idleSince === conn.idleSince && line.expiries[last]!.ended === null) line.expiries[last] = window;
      else line.expiries.push(window);
    }
  }

  private endIdle(id: number, by: 'acquire' | 'close', at: number): void {
    const line = this.lines.get(id);
    const last = line?.expiries.at(-1);
    if (line !== undefined && last !== undefined && last.ended === null) line.expiries[line.expiries.length - 1] = { ...last, ended: { by, at } };
  }

  private line(id: number): Building {
    let line = this.lines.get(id);
    if (line === undefined) {
      line = { id, marks: [], expiries: [] };
      this.lines.set(id, line);
    }
    return line;
  }
}
