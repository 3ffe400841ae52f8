import { capabilitiesOf } from '../../../src/model/semantics.js';
import { adapterOnPostgres } from '../support/adapters.js';

/*
 * Against a real server, slow connects are left out of the draws. poolcheck's slow connect is a
 * delay on the run's clock followed by the real connect, and the model has it land at the end of
 * the delay, as it does on pg-mem, whose connect completes in microtasks. On a real server the
 * connect completes by I/O, in the poll phase: after a blocked loop, an overdue timer (pg-pool's
 * own connectionTimeoutMillis) fires before it, and pg-pool rightly times the connect out. The
 * model has no notion yet of a connector whose connects land by I/O; until it has, this suite
 * checks pg-pool's other capabilities on the real server, and pg-mem checks its slow connects
 * (and what close does to one in flight, which needs them).
 */
await adapterOnPostgres('pg-pool', {
  semantics: (s) => {
    const { closeDuringConnect: _needsSlowConnect, ...capabilities } = capabilitiesOf(s);
    return { ...s, capabilities: { ...capabilities, slowConnect: false } };
  },
});
