// Opens the SQLite file, sets it up for durability, and applies migrations.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Database {
  db: Db;
  sqlite: BetterSqlite3.Database;
  close(): void;
}

const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

const RESTORE_HINT = 'restore it from a backup (README: Backups) or point DATABASE_PATH elsewhere';

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

/**
 * Opens (creating if needed) the database at `path` and migrates it.
 * `:memory:` gives a private in-memory database.
 */
export interface OpenOptions {
  /** How long a writer waits for a lock another connection holds; default 5 s. */
  busyTimeoutMs?: number;
}

export function openDatabase(path: string, options: OpenOptions = {}): Database {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  try {
    // WAL lets readers (the export CLI, backups) run beside the bot.
    sqlite.pragma('journal_mode = WAL');
    // FULL: every commit (and so every 200 Slack got) survives a power cut, not only a crash.
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    // The export CLI or a backup may hold the lock for a moment; wait rather than fail.
    sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    const check = sqlite.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new DatabaseError(`${path} is corrupt (integrity_check: ${String(check)}); ${RESTORE_HINT}`);
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS });
    return { db, sqlite, close: () => sqlite.close() };
  } catch (error) {
    sqlite.close();
    if (error instanceof DatabaseError) throw error;
    const reason = (error as { code?: string }).code === 'SQLITE_NOTADB' ? 'is not a SQLite database' : `cannot be opened (${(error as Error).message})`;
    throw new DatabaseError(`${path} ${reason}; ${RESTORE_HINT}`, { cause: error });
  }
}
