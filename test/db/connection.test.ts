import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { DatabaseError } from '../../src/db/errors.js';

const ROOT_DIR = new URL('../..', import.meta.url).pathname;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sitrep-db-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates the folder, sets WAL, FULL sync, foreign keys and a busy timeout, and migrates', () => {
    const database = openDatabase(join(dir, 'a', 'b', 'sitrep.sqlite'));
    try {
      const pragma = (name: string) => database.sqlite.pragma(name, { simple: true });
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('synchronous')).toBe(2);
      expect(pragma('foreign_keys')).toBe(1);
      expect(pragma('busy_timeout')).toBe(5000);
      const tables = database.sqlite.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>;
      expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['incidents', 'messages', 'reactions', 'outbox']));
    } finally {
      database.close();
    }
  });

  it('opens the same file twice without migrating twice', () => {
    const path = join(dir, 'sitrep.sqlite');
    openDatabase(path).close();
    const again = openDatabase(path);
    const migrations = readdirSync(join(ROOT_DIR, 'drizzle', 'sqlite')).filter((name) => name.endsWith('.sql')).length;
    expect(again.sqlite.prepare('select count(*) as n from __drizzle_migrations').get()).toEqual({ n: migrations });
    again.close();
  });

  it('refuses a file that is not a database, with a clear message', () => {
    const path = join(dir, 'garbage.sqlite');
    writeFileSync(path, 'this is not a database, it is a shopping list\n'.repeat(200));
    expect(() => openDatabase(path)).toThrow(DatabaseError);
    expect(() => openDatabase(path)).toThrow(/garbage\.sqlite is not a SQLite database; restore it from a backup/);
  });

  it('refuses a database whose pages are damaged', () => {
    const path = join(dir, 'damaged.sqlite');
    const database = openDatabase(path);
    const insert = database.sqlite.prepare(
      "insert into incidents (title, severity, status, declared_by, time_zone, declared_at) values (?, 'sev3', 'investigating', 'U1', 'UTC', 0)",
    );
    for (let i = 0; i < 2000; i += 1) insert.run(`incident ${i} `.repeat(20));
    database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    database.close();
    // Overwrite the middle of the file: the header survives, the b-tree does not.
    const bytes = Buffer.alloc(8192, 0xa5);
    const fd = openSync(path, 'r+');
    writeSync(fd, bytes, 0, bytes.length, 4096 * 3);
    closeSync(fd);
    expect(() => openDatabase(path)).toThrow(/is corrupt|is not a SQLite database|malformed/);
  });
});
