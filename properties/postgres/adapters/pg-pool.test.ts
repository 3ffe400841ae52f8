import { adapterOnPostgres } from '../support/adapters.js';

await adapterOnPostgres('pg-pool');
