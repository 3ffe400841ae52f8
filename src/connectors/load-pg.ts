import type pg from 'pg';
import { importLibrary } from '../adapters/library.js';

/**
 * pg is an optional peer: only a run against a real server needs it. Kept out of the public
 * declarations, so that poolcheck's types hold for a user who has not installed pg.
 */
export async function loadPg(): Promise<typeof pg> {
  return (await importLibrary<{ default: typeof pg }>('pg', 'a real PostgreSQL server (--db, DATABASE_URL or postgresConnector)')).default;
}
