import { normalizeMin } from '../../model/semantics.js';
import { leftAtDefault } from '../choose.js';
import { ProbeSession } from '../session.js';
import type { Probe, ProbeResult } from '../types.js';

const CLOSE_MS = 50;

/**
 * When a pool that refills after a discard decides that refill (`discardRefill`): at min 1, the
 * connection in use is discarded while its close takes 50 ms (the connector's `delayNextClose`).
 * A refill opened at the discard says `'at-discard'`; one opened as the close completes,
 * `'when-closed'`; none by then, no value: a contradiction. In process a close that completes at
 * once cannot tell them apart, which is why the close is made slow here.
 */
export const discardRefillProbe: Probe = {
  name: 'discard-refill',
  fields: ['discardRefill'],
  needs: ['min', 'minRefill', 'opensMinOnCreate', 'capabilities.destroy'],
  async run(context): Promise<ProbeResult> {
    const field = 'discardRefill';
    if (!normalizeMin(context.known).refill.includes('after-discard') || context.known.capabilities?.destroy !== true) {
      return leftAtDefault(field, 'at-discard', 'only a pool that refills after a discard, discarding through the adapter\'s destroy, decides when it does');
    }
    const made = await ProbeSession.with(context.adapter, { minSize: 1, maxSize: 1, lifetimeMs: 60_000 }, async (s) => {
      const id = await s.acquire();
      const opened = s.created().length;
      if (s.connector.faults?.delayNextClose === undefined) return null;
      s.connector.faults.delayNextClose(CLOSE_MS);
      const discardedAt = s.now();
      s.discard(id);
      await s.sleep(CLOSE_MS);
      const refill = s.events.filter((e) => e.type === 'create')[opened];
      return { discardedAt, refillAt: refill?.at ?? null, id };
    });
    if (!made.created || made.value === null) return leftAtDefault(field, 'at-discard', 'the pool could not be driven through a slow close');
    const { discardedAt, refillAt, id } = made.value;
    const story = `with min 1, connection #${id} discarded at ${discardedAt} ms while its close took ${CLOSE_MS} ms`;
    if (refillAt === discardedAt) return { kind: 'found', findings: [{ field, value: 'at-discard', evidence: `${story}: the refill opened at ${refillAt} ms, at the discard` }], patch: {} };
    if (refillAt === discardedAt + CLOSE_MS) return { kind: 'found', findings: [{ field, value: 'when-closed', evidence: `${story}: the refill opened at ${refillAt} ms, as the close completed` }], patch: { discardRefill: 'when-closed' } };
    const seen = refillAt === null ? 'no refill opened by then' : `the refill opened at ${refillAt} ms`;
    return { kind: 'contradiction', contradiction: { field, probe: this.name, observation: `${story}: ${seen}, neither at the discard nor as the close completed` } };
  },
};
