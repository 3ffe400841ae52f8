import type fc from 'fast-check';
import { abortOf } from '../model/semantics.js';
import { aborted, pendingTickets } from '../model/faults.js';
import type { Harness, ModelBox } from '../runner/harness.js';
import type { CommandJson } from './json.js';

/**
 * Abort a pending acquire through its `AbortSignal`: one waiting in the queue, or one whose
 * connect or validation is in flight. It must be rejected at once and never get a connection;
 * what it would have had goes to the next waiter, or idle, and nothing leaks.
 */
export class AbortCommand implements fc.AsyncCommand<ModelBox, Harness> {
  private ticket: number | null = null;

  /**
   * `pick` chooses among the pending acquires when the command runs (drawn by the generators);
   * `fixedTicket` names one by its number in the run, as a saved command list does.
   */
  constructor(
    readonly pick: number,
    readonly fixedTicket: number | null = null,
  ) {}

  check(m: Readonly<ModelBox>): boolean {
    if (abortOf(m.state.semantics) === null || m.state.phase !== 'open') return false;
    const tickets = pendingTickets(m.state);
    return this.fixedTicket === null ? tickets.length > 0 : tickets.includes(this.fixedTicket);
  }

  async run(m: ModelBox, h: Harness): Promise<void> {
    const tickets = pendingTickets(m.state);
    const ticket = this.fixedTicket ?? (tickets[this.pick % tickets.length] as number);
    this.ticket = ticket;
    h.begin(this);
    const controller = h.aborts.get(ticket);
    if (controller === undefined) throw new Error(`poolcheck harness: acquire #${ticket} was issued without a signal`);
    controller.abort();
    const next = aborted(m.state, ticket);
    // A pool that ignores the signal leaves it pending: the step's end reports that.
    await h.settleCalls([ticket], `acquire #${ticket} after its abort`);
    h.finishStep(m, { command: this, next });
  }

  toString(): string {
    const ticket = this.ticket ?? this.fixedTicket;
    return ticket === null ? `abort(pick ${this.pick})` : `abort(acquire #${ticket})`;
  }

  toJson(): CommandJson | null {
    return this.ticket === null ? null : { op: 'abort', acquire: this.ticket };
  }
}
