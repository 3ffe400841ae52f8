import { chooseByOracle, off, type Scenario } from '../choose.js';
import type { FailedConnectRetry } from '../../model/semantics.js';
import type { ProbeContext, ProbeResult } from '../types.js';
import { ProbeSession } from '../session.js';
import type { Pending } from '../session.js';
import type { Probe } from '../types.js';

const CONNECT_MS = 50;
const FIELD = 'capabilities.failedConnect';
const AT_ONCE: FailedConnectRetry = { retry: 'at-once' };
/** How long the probe waits for a retry of a failed connect: beyond it, the pool is taken not to retry. */
const RETRY_HORIZON_MS = 30_000;

/**
 * Whether a failed connect rejects the acquire that asked for it and frees its capacity. First the
 * oracle on the plain case. Then, since a capability must hold whatever the connector's timing, a
 * measurement the model cannot drive for every pool: a connect fails while another acquire's
 * connect is still in flight. The pool must not open a connection nobody asked for.
 */
export const failedConnectProbe: Probe = {
  name: 'failed-connect',
  fields: ['capabilities.failedConnect'],
  needs: ['gracefulClose', 'min', 'capabilities.slowConnect'],
  async run(context) {
    if (context.known.capabilities?.connectServes === 'queue-head') {
      // Rejected: the failure rejects whoever heads the queue, and the pool looks at it again.
      const rejects = await rejectsHead(context, this.name);
      if (rejects.kind === 'found') return rejects;
      // Probed with no min: a refill's create that fails is not retried for the min, only for the
      // queue, which the probe's acquire stands for.
      return retriedForQueue(context, this.name);
    }
    const scenarios: Scenario[] = [{ config: { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, commands: [{ op: 'failNextConnect' }, { op: 'acquire' }, { op: 'sleep', ms: 10 }, { op: 'acquire' }] }];
    // Where the model can hold a waiter behind a connect (waiters and slow connects both on), the
    // capacity a failed connect frees must go to that waiter.
    const caps = context.known.capabilities;
    if (caps?.waiters === true && caps.slowConnect) {
      scenarios.push({ config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'slowNextConnect', ms: CONNECT_MS }, { op: 'failNextConnect' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: CONNECT_MS }] });
    }
    // Rejected, or retried at once for the acquire (which then gets a connection): the oracle tells.
    const plain = await chooseByOracle<boolean | FailedConnectRetry>(context, { name: this.name, field: FIELD }, scenarios, [
      { value: true, patch: { capabilities: { failedConnect: true } } },
      { value: AT_ONCE, patch: { capabilities: { failedConnect: AT_ONCE } } },
    ]);
    if (plain.kind !== 'found') return off(FIELD, plain.contradiction.observation.replace(/^no value fits (.*?); true ruled out: /, '$1 does not fit it on: '), 'failedConnect');
    if (plain.findings[0]?.value !== true) return plain;
    const made = await ProbeSession.with(context.adapter, { minSize: 0, maxSize: 2, lifetimeMs: 60_000 }, async (s) => {
      s.connector.faults?.delayNextConnect(CONNECT_MS);
      const a = s.issue();
      await s.clock.settle();
      s.connector.faults?.failNextConnect();
      const b = s.issue();
      await s.sleep(CONNECT_MS + 10);
      const opened = s.created();
      const answered = [a, b].filter((p) => p.outcome?.ok === true).length;
      return { opened, answered, a: a.outcome, b: b.outcome };
    });
    if (!made.created) return plain;
    const { opened, answered, a, b } = made.value;
    if (opened.length > answered) {
      return off(
        'capabilities.failedConnect',
        `acquire A waited on a ${CONNECT_MS} ms connect while acquire B's connect failed; then A ${outcomeOf(a)} and B ${outcomeOf(b)}, and the pool had opened ${opened.length} connection(s) (${opened.map((id) => `#${id}`).join(', ')}) for ${answered} acquire(s) served: one nobody asked for`,
        'failedConnect',
      );
    }
    return plain;
  },
};

function outcomeOf(outcome: Pending['outcome']): string {
  if (outcome === null) return 'was still pending';
  return outcome.ok ? `got #${outcome.id}` : `was rejected (${outcome.error})`;
}

/**
 * A pool whose connects serve the head of the queue and that rejects on a failed connect: the
 * oracle on a failed connect behind one acquire, behind a burst at max (the acquire behind it is
 * served once the failure frees the slot), and, where connects can be slow, a slow one failing
 * behind two waiters (the head is rejected as it fails). A pool that retries does not fit.
 */
async function rejectsHead(context: ProbeContext, name: string): Promise<ProbeResult> {
  const config = (maxSize: number) => ({ minSize: 0, maxSize, lifetimeMs: 60_000 });
  const scenarios: Scenario[] = [
    { config: config(2), commands: [{ op: 'failNextConnect' }, { op: 'acquire' }, { op: 'sleep', ms: 10 }, { op: 'acquire' }] },
    { config: config(1), commands: [{ op: 'failNextConnect' }, { op: 'burst', count: 2 }] },
  ];
  if (context.known.capabilities?.slowConnect === true) {
    scenarios.push({ config: config(1), commands: [{ op: 'slowNextConnect', ms: CONNECT_MS }, { op: 'failNextConnect' }, { op: 'acquire' }, { op: 'acquire' }, { op: 'sleep', ms: CONNECT_MS }] });
  }
  return chooseByOracle<boolean>(context, { name, field: FIELD }, scenarios, [{ value: true, patch: { capabilities: { failedConnect: true } } }]);
}

/**
 * A pool whose connects serve the head of the queue: a failed connect serves nobody in particular,
 * so the question is whether and when the pool tries again. The probe fails a connect behind two
 * acquires, with room for one, and reads the connector's log for the next connect: at once, or
 * `afterMs` later. Whether the first acquire was rejected as the failure was seen, the second one
 * served by the retry, tells `rejectsHead`. Then the oracle tells how many connects a look starts
 * while a failure left the queue short: a burst of three behind a failed connect, with room for
 * three. A connect slower than the horizon shows whether the pool gives up on one that takes too
 * long (`connectTimeoutMs`): it then starts another before the slow one lands.
 */
async function retriedForQueue(context: ProbeContext, name: string): Promise<ProbeResult> {
  const timeout = context.known.capabilities?.acquireTimeout ?? null;
  const config = (maxSize: number) => ({ minSize: 0, maxSize, lifetimeMs: 60_000, ...(timeout === null ? {} : { acquireTimeoutMs: 4 * RETRY_HORIZON_MS }) });
  const made = await ProbeSession.with(context.adapter, config(1), async (s) => {
    s.connector.faults?.failNextConnect();
    const a = s.issue();
    const b = s.issue();
    await s.clock.settle();
    // Rejected as the failure is seen, before any retry: the head of the queue.
    const headRejected = a.outcome?.ok === false;
    await s.sleepUntilDone(() => s.created().length > 0, RETRY_HORIZON_MS, RETRY_HORIZON_MS);
    const failedAt = s.events.find((e) => e.type === 'connect-failed')?.at ?? null;
    const retriedAt = s.events.find((e) => e.type === 'create')?.at ?? null;
    return { failedAt, retriedAt, headRejected, served: (headRejected ? b : a).outcome?.ok === true };
  });
  if (!made.created) return off(FIELD, `the pool could not be created to probe a failed connect: ${made.error}`, 'failedConnect');
  const { failedAt, retriedAt, headRejected, served } = made.value;
  if (failedAt === null || retriedAt === null || !served) {
    return off(FIELD, `a connect failed behind two acquires (min 0, max 1) and the pool ${failedAt === null ? 'made no connect' : `made no other connect, or did not serve the ${headRejected ? 'second ' : ''}acquire, within ${RETRY_HORIZON_MS} ms`}: no failedConnect value fits a pool whose connects serve the queue head but do not retry`, 'failedConnect');
  }
  const afterMs = retriedAt - failedAt;
  // A pool that rejects the head and retries at once is `failedConnect: true`, which the oracle
  // ruled out before: nothing fits.
  if (headRejected && afterMs === 0) return off(FIELD, `a connect failed behind two acquires (min 0, max 1): the first was rejected and the pool tried again at once, which failedConnect: true says, but its oracle did not fit`, 'failedConnect');
  // Whether the pool gives up on a connect that takes too long, as on a failed one: a connect
  // slower than the horizon, and the next connect the pool starts, at its timeout plus the retry's delay.
  const slow = await ProbeSession.with(context.adapter, config(1), async (s) => {
    s.connector.faults?.delayNextConnect(2 * RETRY_HORIZON_MS);
    s.issue();
    // Where the give-up rejects the head, a second acquire keeps the queue asking for the retry.
    if (headRejected) s.issue();
    await s.clock.settle();
    await s.sleepUntilDone(() => s.created().length > 0, RETRY_HORIZON_MS, 2 * RETRY_HORIZON_MS - 1);
    return s.events.find((e) => e.type === 'create')?.at ?? null;
  });
  const gaveUpAt = slow.created && slow.value !== null && slow.value < 2 * RETRY_HORIZON_MS ? slow.value - afterMs : null;
  const extra = { ...(gaveUpAt === null || gaveUpAt < 1 ? {} : { connectTimeoutMs: gaveUpAt }), ...(headRejected ? { rejectsHead: true } : {}) };
  const candidates: { value: FailedConnectRetry; patch: { capabilities: { failedConnect: FailedConnectRetry } } }[] =
    afterMs === 0 ? [{ value: { ...AT_ONCE, ...extra }, patch: { capabilities: { failedConnect: { ...AT_ONCE, ...extra } } } }] : (['shortfall', 'one'] as const).map((perLook) => {
      const value: FailedConnectRetry = { retry: { afterMs }, perLook, ...extra };
      return { value, patch: { capabilities: { failedConnect: value } } };
    });
  const scenario: Scenario = { config: config(3), commands: [{ op: 'failNextConnect' }, { op: 'burst', count: 3 }, { op: 'sleep', ms: Math.max(afterMs, 1) }] };
  const found = await chooseByOracle(context, { name, field: FIELD }, scenario, candidates);
  if (found.kind === 'found') return found;
  return off(FIELD, `the retry came ${afterMs} ms after the failure, but ${found.contradiction.observation}`, 'failedConnect');
}
