import { chooseByOracle, describeScenario, type Scenario } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * Whether the pool checks an idle connection before lending it, and how. Unchecked, the model
 * cannot see a validation at all, so the probe makes one fail through the connector: two idle
 * connections, then a burst of two acquires. A synchronous check closes the failed one and the
 * first acquire takes the other idle connection; an awaited one has each acquire take its idle
 * connection first, so the first acquire, whose check failed, gets a new one. A pool that lends
 * the connection whose check was set to fail does not validate: `'none'`, shown on the plain
 * reuse of an idle connection.
 */
export const validationProbe: Probe = {
  name: 'validation',
  fields: ['validation'],
  needs: ['reuse', 'gracefulClose'],
  async run(context) {
    const config = { minSize: 0, maxSize: 3, lifetimeMs: 60_000 };
    const failing: Scenario = { config, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'release', connection: 2 }, { op: 'failNextValidation' }, { op: 'burst', count: 2 }] };
    // A failed check can only be observed where the pool closes the connection that failed: that
    // capability is on while the check is probed, and its own probe settles it next.
    const checked = await chooseByOracle(context, { name: this.name, field: 'validation' }, failing, [
      { value: 'sync', patch: { validation: 'sync', capabilities: { failedValidation: true } } },
      { value: 'async', patch: { validation: 'async', capabilities: { failedValidation: true } } },
    ]);
    if (checked.kind === 'found') return checked;
    const plain: Scenario = { config, commands: [{ op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'acquire' }] };
    const none = await chooseByOracle(context, { name: this.name, field: 'validation' }, plain, [{ value: 'none', patch: { validation: 'none' } }]);
    if (none.kind === 'contradiction') {
      return { kind: 'contradiction', contradiction: { ...none.contradiction, observation: `${checked.contradiction.observation.replace(/^no value fits /, 'no checked value fits ')}; and ${none.contradiction.observation}` } };
    }
    const ruledOut = checked.contradiction.observation.replace(/^no value fits \[[^\]]*\]; /, '');
    const evidence = `a validation set to fail through the connector never showed: [${describeScenario(failing)}] fits no check (${ruledOut}); [${describeScenario(plain)}] fits 'none'`;
    return { ...none, findings: [{ field: 'validation', value: 'none', evidence }] };
  },
};
