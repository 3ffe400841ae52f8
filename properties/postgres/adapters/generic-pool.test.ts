import { defaultConfigArb } from '../../../src/runner/configs.js';
import { adapterOnPostgres } from '../support/adapters.js';

// generic-pool refills to min after its evictor takes a connection, so with a short lifetime a
// ten-minute sleep opens a real connection per evictor run (each second) per min connection:
// hundreds of connects, tens of ms each. With min connections, lifetimes here are a minute or more.
await adapterOnPostgres('generic-pool', { configs: defaultConfigArb.filter((c) => c.minSize === 0 || c.lifetimeMs >= 60_000) });
