import { capabilitiesOf, validationOf } from '../../model/semantics.js';
import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * Whether a validating pool also checks a connection it hands straight to a waiter at its
 * release (`alsoChecks: ['released']`). One connection, a second acquire waiting for it, a
 * validation set to fail, then the release: a pool that checks the hand-off closes the connection
 * and opens a new one for the waiter; one that does not hands it over, and the fault stays for the
 * next check. Where connects serve the queue head, also whether it checks a connection it has just
 * opened (`alsoChecks: ['opened']`): a validation set to fail, then an acquire on an empty pool,
 * which gets a second connection where the first failed its check.
 */
export const validationHandoffsProbe: Probe = {
  name: 'validation-handoffs',
  fields: ['validation.alsoChecks'],
  needs: ['validation', 'capabilities.failedValidation', 'capabilities.waiters', 'capabilities.connectServes', 'gracefulClose'],
  async run(context) {
    const check = validationOf(context.known);
    const field = 'validation.alsoChecks';
    if (check === 'none') return leftAtDefault(field, [], "the pool validates nothing (validation: 'none')");
    const can = capabilitiesOf(context.known);
    if (can.waiters !== true) return leftAtDefault(field, [], 'the pool has no waiters (waiters: false), so nothing is handed to one');
    if (can.failedValidation !== true) return leftAtDefault(field, [], 'no validation of the pool was seen to fail (failedValidation: false), so a checked hand-off cannot be told from an unchecked one');
    const scenario: Scenario = { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'failNextValidation' }, { op: 'release', connection: 1 }] };
    if (can.connectServes !== 'queue-head') {
      return chooseByOracle(context, { name: this.name, field }, scenario, [
        { value: [], patch: { validation: check } },
        { value: ['released'], patch: { validation: { check, alsoChecks: ['released'] } } },
      ]);
    }
    const opened: Scenario = { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [{ op: 'failNextValidation' }, { op: 'acquire' }] };
    return chooseByOracle(context, { name: this.name, field }, [scenario, opened], [
      { value: [], patch: { validation: check } },
      { value: ['released'], patch: { validation: { check, alsoChecks: ['released'] } } },
      { value: ['opened'], patch: { validation: { check, alsoChecks: ['opened'] } } },
      { value: ['opened', 'released'], patch: { validation: { check, alsoChecks: ['released', 'opened'] } } },
    ]);
  },
};
