import { validationOf } from '../../model/semantics.js';
import { capabilityByOracle, off } from '../choose.js';
import type { Probe } from '../types.js';

/** Whether a connection that fails its validation is closed at once and another tried: a new one here. */
export const failedValidationProbe: Probe = {
  name: 'failed-validation',
  fields: ['capabilities.failedValidation'],
  needs: ['validation', 'gracefulClose'],
  run(context) {
    if (validationOf(context.known) === 'none') return Promise.resolve(off('capabilities.failedValidation', 'the pool validates nothing (validation: \'none\'), so no validation can fail', 'failedValidation'));
    return capabilityByOracle(context, { name: this.name, capability: 'failedValidation' }, { config: { minSize: 0, maxSize: 1, lifetimeMs: 60_000 }, commands: [
      { op: 'acquire' },
      { op: 'release', connection: 1 },
      { op: 'failNextValidation' },
      { op: 'acquire' },
    ] });
  },
};
