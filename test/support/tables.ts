// A sandbox's tables read directly, and changed as a crash would have left them, on
// either store. The bot's own queries answer what the bot needs; a test sometimes has to
// see what they do not show (an outbox job's attempts, a message row's columns) or stage
// what a process killed mid-job leaves behind. The two schemas name their tables and
// columns alike, so one call reads the same rows from SQLite and from PostgreSQL.

import { eq, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTable } from 'drizzle-orm/pg-core';
import { openDatabase } from '../../src/db/connection.js';
import * as pgSchema from '../../src/db/pg/schema.js';
import * as sqliteSchema from '../../src/db/schema.js';
import { withClient } from './postgres.js';
import type { TestSandbox } from './sandbox.js';

type Tables = 'messages' | 'outbox' | 'incidents';

/** A row as SQLite's schema reads it; PostgreSQL's reads the same columns with the same types. */
export type Row<T extends Tables> = (typeof sqliteSchema)[T]['$inferSelect'];

type PgWork<T> = (db: NodePgDatabase<typeof pgSchema>) => Promise<T>;

function onPostgres<T>(url: string, work: PgWork<T>): Promise<T> {
  return withClient(url, (client) => work(drizzle(client, { schema: pgSchema })));
}

/** Every row of a table, in the order the store returns them (insertion order for these). */
export async function rowsOf<T extends Tables>(box: TestSandbox, table: T): Promise<Row<T>[]> {
  if (!box.databaseUrl) return box.database.db.select().from(sqliteSchema[table]).all() as Row<T>[];
  const rows = (db: NodePgDatabase<typeof pgSchema>) => db.select().from(pgSchema[table] as PgTable).orderBy(sql`id`);
  return onPostgres(box.databaseUrl, async (db) => (await rows(db)) as unknown as Row<T>[]);
}

/**
 * Outbox jobs of this kind not done: the state a process killed before marking them done
 * leaves. For a stopped sandbox, whose store is closed.
 */
export async function reopenJobs(box: Pick<TestSandbox, 'databasePath' | 'databaseUrl'>, kind: Row<'outbox'>['kind']): Promise<void> {
  if (!box.databaseUrl) {
    const database = openDatabase(box.databasePath);
    try {
      database.db.update(sqliteSchema.outbox).set({ doneAt: null }).where(eq(sqliteSchema.outbox.kind, kind)).run();
    } finally {
      database.close();
    }
    return;
  }
  await onPostgres(box.databaseUrl, (db) => db.update(pgSchema.outbox).set({ doneAt: null }).where(eq(pgSchema.outbox.kind, kind)));
}
