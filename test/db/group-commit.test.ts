// The group commit: writes queued in the same turn share one transaction, each
// caller hears of its write only once it is committed, one failing write fails
// only itself, and nothing outside the batch uses the connection while it runs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/db/group-commit.js';

let dir: string;
let sqlite: BetterSqlite3.Database;
/** A second connection, as another process would see the file. */
let reader: BetterSqlite3.Database;
let group: GroupCommit;

const insert = (value: string) => async () => sqlite.prepare('insert into notes (value) values (?)').run(value).lastInsertRowid;
const committed = (): string[] => reader.prepare('select value from notes order by id').pluck().all() as string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sitrep-group-commit-'));
  sqlite = new BetterSqlite3(join(dir, 'db.sqlite'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.exec(`
    create table notes (id integer primary key, value text not null unique);
    create table parents (id integer primary key);
    create table children (id integer primary key, parent integer references parents(id) deferrable initially deferred);
  `);
  reader = new BetterSqlite3(join(dir, 'db.sqlite'), { readonly: true });
  group = new GroupCommit(sqlite);
});

afterEach(() => {
  reader.close();
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GroupCommit', () => {
  it('runs the writes of one turn in order, in one transaction, and settles each once it is committed', async () => {
    const seen: Array<{ inTransaction: boolean; visible: string[] }> = [];
    const first = group.run(async () => {
      await insert('a')();
      return 'first';
    });
    const second = group.run(async () => {
      // The first write of the batch is visible here, and nothing is committed yet.
      seen.push({ inTransaction: sqlite.inTransaction, visible: sqlite.prepare('select value from notes').pluck().all() as string[] });
      await insert('b')();
      return 'second';
    });
    // Queued, not yet run: nothing written.
    expect(committed()).toEqual([]);
    const outcomes = await Promise.all([
      first.then((value) => ({ value, committed: committed() })),
      second.then((value) => ({ value, committed: committed() })),
    ]);
    expect(outcomes).toEqual([
      { value: 'first', committed: ['a', 'b'] },
      { value: 'second', committed: ['a', 'b'] },
    ]);
    expect(seen).toEqual([{ inTransaction: true, visible: ['a'] }]);
    expect(sqlite.inTransaction).toBe(false);
  });

  it('undoes and rejects only the write that threw; the rest of the batch commits', async () => {
    const results = await Promise.allSettled([
      group.run(insert('a')),
      group.run(async () => {
        await insert('b')();
        throw new Error('listener failed half-way');
      }),
      group.run(insert('a')), // a unique-key violation: SQLite's own error
      group.run(insert('c')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('listener failed half-way'));
    expect(committed()).toEqual(['a', 'c']);
  });

  it('rejects every write of a batch whose commit fails, and writes none of them', async () => {
    sqlite.prepare('insert into parents (id) values (1)').run();
    const results = await Promise.allSettled([
      group.run(insert('a')),
      // Checked only at COMMIT (deferred foreign key): the whole transaction fails there.
      group.run(async () => sqlite.prepare('insert into children (parent) values (99)').run()),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(committed()).toEqual([]);
    expect(sqlite.inTransaction).toBe(false);
    // The next batch is unaffected.
    await group.run(insert('b'));
    expect(committed()).toEqual(['b']);
  });

  it('starts a new batch for writes queued after one was committed', async () => {
    await group.run(insert('a'));
    const later = group.run(insert('b'));
    expect(committed()).toEqual(['a']);
    await later;
    expect(committed()).toEqual(['a', 'b']);
  });

  it('keeps the connection to the batch while it runs: a query from outside waits until it has ended', async () => {
    let outside: Promise<{ inTransaction: boolean; visible: string[] }> | undefined;
    await group.run(async () => {
      await insert('a')();
      // Callbacks queued elsewhere run between the batch's awaits; one asks for the connection.
      outside = group.idle().then(() => ({ inTransaction: sqlite.inTransaction, visible: sqlite.prepare('select value from notes').pluck().all() as string[] }));
      for (let turn = 0; turn < 10; turn++) await Promise.resolve();
      await insert('b')();
    });
    // It ran once the batch had committed: the whole batch or nothing, never half of it.
    expect(await outside).toEqual({ inTransaction: false, visible: ['a', 'b'] });
    expect(committed()).toEqual(['a', 'b']);
  });

  it('says it is busy from the start of a batch until its callers can run (the store then runs queries at once)', async () => {
    expect(group.busy).toBe(false);
    const seen: boolean[] = [];
    const first = group.run(async () => {
      seen.push(group.busy);
      await Promise.resolve();
      seen.push(group.busy);
    });
    // Queued, not yet running: a query from outside may still use the connection now.
    expect(group.busy).toBe(false);
    await first;
    expect(seen).toEqual([true, true]);
    expect(group.busy).toBe(false);
  });
});
