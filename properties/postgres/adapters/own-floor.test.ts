import { adapterOnPostgres } from '../support/adapters.js';

adapterOnPostgres('own-floor');
