import { adapterOnPostgres } from '../support/adapters.js';

adapterOnPostgres('pg-pool');
