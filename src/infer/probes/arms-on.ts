import type { PoolAdapter } from '../../adapters/types.js';
import { ProbeSession, ProbeStop } from '../session.js';
import { expirySpan } from '../span.js';
import type { Finding, Probe, ProbeContext, ProbeResult } from '../types.js';

const LIFETIME_MS = 1_000;
const CONNECT_MS = 100;

/** A connection the pool opened and never lent, and when (if ever) it closed. */
interface NeverLent {
  readonly id: number;
  readonly openedAt: number;
  readonly closedAt: number | null;
  readonly how: string;
}

/**
 * What starts a connection's idle clock: only a release, or its creation too. Only a connection
 * that is opened and goes idle without ever being lent can tell; probes try to make one, then
 * watch whether it expires one lifetime (plus the trigger's window) after it opened.
 *
 * 1. A slow connect for acquire B while #1 is lent, then #1 released: a pool that hands #1 to B
 *    leaves the new connection idle, never lent.
 * 2. Where the pool opens min on create and no floor keeps it: a connection opened for the min.
 *
 * Measured rather than asked of the oracle: the model can only drive a slow connect for a pool
 * that declares `slowConnect`, and these connections arise in pools that do not.
 */
export const armsOnProbe: Probe = {
  name: 'arms-on',
  fields: ['armsOn'],
  needs: ['expiry', 'min', 'opensMinOnCreate'],
  async run(context) {
    const span = expirySpan(context.known.expiry, 2) + 10;
    const seen = (await handedOverWhileConnecting(context.adapter, span)) ?? (await openedForMin(context, span));
    if (seen === null) {
      const unobservable = context.known.opensMinOnCreate && context.known.min === 'floor';
      // Nothing the pool opened ever went idle unlent in these probes: the two values predict the
      // same. Pick the one that stays true where the floor does not hold: a pool that opens min on
      // create has connections idle from their creation.
      const value = unobservable ? 'release-and-create' : 'release';
      const evidence = unobservable
        ? 'the connections opened for the min on create are idle from their creation, but the min floor keeps them, so their expiry cannot be seen; and no acquire left a connection opened for it unlent'
        : `no connection the pool opened went idle without being lent: an acquire whose connect was in flight when another connection was released got the connection opened for it`;
      return found({ field: 'armsOn', value, evidence, alsoFits: [value === 'release' ? 'release-and-create' : 'release'] });
    }
    const due = seen.openedAt + LIFETIME_MS;
    if (seen.closedAt !== null && seen.closedAt >= due && seen.closedAt <= due + span) {
      return found({ field: 'armsOn', value: 'release-and-create', evidence: `${seen.how}: connection #${seen.id}, opened at ${seen.openedAt} ms and never lent, closed at ${seen.closedAt} ms, its lifetime of ${LIFETIME_MS} ms after it opened` });
    }
    if (seen.closedAt === null) {
      return found({ field: 'armsOn', value: 'release', evidence: `${seen.how}: connection #${seen.id}, opened at ${seen.openedAt} ms and never lent, was still open ${LIFETIME_MS + span} ms later (lifetime ${LIFETIME_MS} ms): its idle clock starts at a release only` });
    }
    return { kind: 'contradiction', contradiction: { field: 'armsOn', probe: this.name, observation: `${seen.how}: connection #${seen.id}, opened at ${seen.openedAt} ms and never lent, closed at ${seen.closedAt} ms, which is neither its expiry from creation (${due}${span > 10 ? `-${due + span}` : ''} ms) nor never` } };
  },
};

function found(finding: Finding): ProbeResult {
  return { kind: 'found', findings: [finding], patch: { armsOn: finding.value as 'release' | 'release-and-create' } };
}

async function handedOverWhileConnecting(adapter: PoolAdapter, span: number): Promise<NeverLent | null> {
  if (adapter.runtime !== undefined) return null;
  try {
    const made = await ProbeSession.with(adapter, { minSize: 0, maxSize: 2, lifetimeMs: LIFETIME_MS }, async (s) => {
      const a = await s.acquire();
      s.connector.faults?.delayNextConnect(CONNECT_MS);
      const b = s.issue();
      await s.sleep(10);
      await s.release(a);
      await s.sleep(CONNECT_MS);
      const opened = s.events.find((e) => e.type === 'create' && e.id !== a);
      if (opened === undefined || b.outcome === null || !b.outcome.ok || b.outcome.id === opened.id) return null;
      await s.sleepUntil(opened.at + LIFETIME_MS + span);
      return { id: opened.id, openedAt: opened.at, closedAt: s.destroyedAt(opened.id), how: `acquire B waited on a ${CONNECT_MS} ms connect while #${a} was released, and got #${a}` };
    });
    return made.created ? made.value : null;
  } catch (error) {
    if (error instanceof ProbeStop) return null;
    throw error;
  }
}

async function openedForMin(context: ProbeContext, span: number): Promise<NeverLent | null> {
  if (!context.known.opensMinOnCreate || context.known.min === 'floor') return null;
  const made = await ProbeSession.with(context.adapter, { minSize: 1, maxSize: 2, lifetimeMs: LIFETIME_MS }, async (s) => {
    const opened = s.events.find((e) => e.type === 'create');
    if (opened === undefined) return null;
    await s.sleepUntil(opened.at + LIFETIME_MS + span);
    return { id: opened.id, openedAt: opened.at, closedAt: s.destroyedAt(opened.id), how: 'the pool opened its min on create' };
  });
  return made.created ? made.value : null;
}
