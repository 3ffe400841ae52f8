import { capabilitiesOf } from '../../../src/model/semantics.js';
import { adapterOnPostgres } from '../support/adapters.js';

/*
 * pg-pool on a real server, slow connects included: the connect after the injected delay completes
 * by I/O, in the poll phase, so after a blocked loop an overdue timer (pg-pool's own
 * connectionTimeoutMillis) fires before it. The postgres connector declares so
 * (`connectsLand: 'by-io'`), and the model orders each landing after every timer at its instant.
 * What close does to a connect in flight is checked on pg-mem only: it has not been run against
 * landings by I/O yet.
 */
await adapterOnPostgres('pg-pool', {
  semantics: (s) => {
    const { closeDuringConnect: _notOnTheServerYet, ...capabilities } = capabilitiesOf(s);
    return { ...s, capabilities };
  },
});
