// Opens a PostgreSQL database (DATABASE_URL) and brings its schema up to date.
// Replicas starting together must not migrate twice at once: the migration runs
// under a session advisory lock, so the first one applies it and the others find
// it done.

import { drizzle, type NodePgDatabase, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase as DrizzlePgDatabase } from 'drizzle-orm/pg-core';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { migrationsFolder } from '../migrations.js';
import * as schema from './schema.js';

export type PgDb = NodePgDatabase<typeof schema>;

/** What a query runs on: the pool (`PgDb`) or a transaction opened on it. */
export type PgRunner = DrizzlePgDatabase<NodePgQueryResultHKT, typeof schema>;

export interface PgDatabase {
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5000;

/** An arbitrary constant that names "sitrep is migrating" among advisory locks. */
const MIGRATION_LOCK = 0x5172_e901;

export interface PgOptions {
  /** Connections in the pool. Default 10. */
  poolSize?: number;
}

export async function openPostgres(url: string, options: PgOptions = {}): Promise<PgDatabase> {
  // A server that does not answer (a dead host) fails a request, and /healthz, within
  // seconds instead of holding them until TCP gives up.
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection that breaks (the server restarted, the network dropped) is reported
  // twice: to whoever is using it, whose query fails with the error, and as an 'error'
  // event on the pool (idle clients) or on the client (one checked out, as inside a
  // transaction). Unheard, the event would end the process; the failed query is what
  // reaches the caller, and through it Slack (no acknowledgement, so Slack retries).
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await migrate(drizzle(client, { schema }), { migrationsFolder: migrationsFolder('pg') });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end();
    throw error;
  }
  return { db: drizzle(pool, { schema }), pool, close: () => pool.end() };
}
