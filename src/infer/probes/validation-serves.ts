import { capabilitiesOf, validatesAlso, validationOf } from '../../model/semantics.js';
import { chooseByOracle, leftAtDefault, type Scenario } from '../choose.js';
import type { Probe } from '../types.js';

/**
 * Whom a connection that passes its check goes to (`validation.serves`), for a pool that checks
 * every connection it lends and whose connects serve the queue head: the acquire that took it
 * (the default), or whoever heads the queue as the check answers (generic-pool's
 * `testOnBorrow`), which is an async check that looks at the queue again within microtasks of a
 * failure. Two idle connections, a validation set to fail, then a burst of two: where the check is
 * its acquire's (and answers after the burst), the second acquire gets the second connection;
 * where it serves the queue head, the first does, as after a synchronous check. A synchronous
 * check and one that serves the queue head part where a new connection fails its check as its
 * connect lands when a waiter's timeout is due: the queue head's check looks at the queue at once,
 * and the connect it starts lands before the timeout fires.
 */
export const validationServesProbe: Probe = {
  name: 'validation-serves',
  fields: ['validation.serves'],
  needs: ['validation', 'validation.alsoChecks', 'capabilities.failedValidation', 'capabilities.waiters', 'capabilities.connectServes', 'capabilities.acquireTimeout', 'capabilities.slowConnect', 'reuse'],
  async run(context) {
    const field = 'validation.serves';
    const can = capabilitiesOf(context.known);
    if (validationOf(context.known) === 'none' || !validatesAlso(context.known, 'released') || !validatesAlso(context.known, 'opened') || can.connectServes !== 'queue-head') {
      return leftAtDefault(field, 'its-acquire', 'only a pool that checks every connection it lends (released and new ones too), with connects serving the queue head, may check for no acquire of its own');
    }
    if (can.failedValidation !== true) return leftAtDefault(field, 'its-acquire', 'no validation of the pool was seen to fail (failedValidation: false), so whom a checked connection goes to cannot be told');
    const burst: Scenario = {
      config: { minSize: 0, maxSize: 3, lifetimeMs: 60_000 },
      commands: [{ op: 'acquire' }, { op: 'acquire' }, { op: 'release', connection: 1 }, { op: 'release', connection: 2 }, { op: 'failNextValidation' }, { op: 'burst', count: 2 }],
    };
    const scenarios: Scenario[] = [burst];
    if (can.acquireTimeout !== null && can.slowConnect === true) {
      scenarios.push({
        config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000, acquireTimeoutMs: 7 },
        commands: [{ op: 'slowNextConnect', ms: 7 }, { op: 'acquire' }, { op: 'failNextValidation' }, { op: 'acquire' }, { op: 'sleep', ms: 7 }],
      });
    }
    // The validation probe cannot tell a check that serves the queue head from a synchronous one
    // on its burst: the value found here settles `check` too.
    return chooseByOracle(context, { name: this.name, field }, scenarios, [
      { value: 'its-acquire', patch: {} },
      { value: 'queue-head', patch: { validation: { check: 'async', alsoChecks: ['released', 'opened'], serves: 'queue-head' } } },
    ]);
  },
};
