// Opens the SQLite file, sets it up for durability, and applies migrations.

import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DatabaseError } from './errors.js';
import { migrationsFolder } from './migrations.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema>;

export interface Database {
  db: Db;
  sqlite: BetterSqlite3.Database;
  close(): void;
}

const MIGRATIONS = migrationsFolder('sqlite');

const RESTORE_HINT = 'restore it from a backup (README: Backups) or point DATABASE_PATH elsewhere';

const WRITABLE_HINT = 'sitrep must write it: check its permissions and that its file system is not mounted read-only';

/**
 * SQLite quietly opens a file it cannot write read-only, and every later write then
 * fails: a store that cannot be written is refused before anything is served. The file
 * and its folder (where SQLite keeps the -wal and -shm files) must both be writable.
 */
function refuseUnwritable(path: string): void {
  const targets = existsSync(path) ? [path, dirname(resolve(path))] : [dirname(resolve(path))];
  for (const target of targets) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
      const why = code === 'EROFS' ? 'its file system is read-only' : code === 'EACCES' ? `${target} is write-protected` : code;
      throw new DatabaseError(`${path} cannot be written (${why}); ${WRITABLE_HINT}`, { cause: error });
    }
  }
}

/** The last word: a write inside a transaction that is rolled back, so nothing changes. */
function proveWritable(sqlite: BetterSqlite3.Database, path: string): void {
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    try {
      sqlite.exec('CREATE TABLE sitrep_write_probe (x)');
    } finally {
      sqlite.exec('ROLLBACK');
    }
  } catch (error) {
    throw new DatabaseError(`${path} cannot be written (${(error as Error).message}); ${WRITABLE_HINT}`, { cause: error });
  }
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
  if (path !== ':memory:') {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    refuseUnwritable(path);
  }
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
    proveWritable(sqlite, path);
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
