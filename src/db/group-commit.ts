// Group commit: the writes of requests handled at the same time share one
// transaction, and so one fsync.
//
// With `synchronous = FULL` each commit waits for the disk to flush the WAL
// (0.7 ms on an idle virtual disk, several ms on a busy one), and because
// Slack is answered only after the commit, a commit per event caps the event
// rate at one event per flush whatever the CPU could do. Here a write is queued
// instead: every write queued during one turn of the event loop runs, in
// order, in one transaction at the end of that turn (setImmediate). Each write
// runs in its own savepoint, so one that throws is rolled back alone and fails
// only its own caller. A caller's promise settles once the transaction holding
// its write has committed, so "answered only after the commit" holds as before
// and durability is still FULL; only the number of flushes changes. While a
// flush runs (BEGIN to COMMIT is synchronous) nothing else on the connection
// can slip into or see a half-done batch.
//
// Batches grow by themselves under load: while one flush waits for the disk,
// requests pile up in the socket buffers and the next turn of the loop takes
// them all. With one request at a time, a write is delayed by one loop turn.

import { setImmediate } from 'node:timers';
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from './connection.js';

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Queued[] = [];
  private readonly runBatch: BetterSqlite3.Transaction<(batch: Queued[]) => Outcome[]>;

  constructor(sqlite: BetterSqlite3.Database) {
    // Inside a transaction, better-sqlite3 runs a nested transaction function as a savepoint.
    const runOne = sqlite.transaction((work: () => unknown) => work());
    this.runBatch = sqlite.transaction((batch: Queued[]) =>
      batch.map((queued): Outcome => {
        try {
          return { ok: true, value: runOne(queued.work) };
        } catch (error) {
          // SQLite rolls the whole transaction back by itself on some errors (SQLITE_FULL,
          // SQLITE_IOERR, SQLITE_NOMEM). The writes after this one would then run outside
          // any transaction, each committed on its own: fail the whole batch instead.
          if (!sqlite.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  /**
   * Runs `work` (synchronous database calls only) in the next group transaction and
   * resolves with its result once that transaction has committed. If `work` throws,
   * its writes are undone and the promise rejects; other writes in the batch commit.
   */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    let outcomes: Outcome[];
    try {
      // IMMEDIATE: take the write lock at BEGIN, so a batch never fails half-way for want of it.
      outcomes = this.runBatch.immediate(batch);
    } catch (error) {
      // The commit itself failed (disk full, I/O error, lock timeout): nothing in the batch was written.
      for (const queued of batch) queued.reject(error);
      return;
    }
    outcomes.forEach((outcome, index) => {
      const queued = batch[index];
      if (!queued) return;
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }
}

const groups = new WeakMap<Db, GroupCommit>();

/** The group commit of this connection (one per database handle). */
export function groupCommit(db: Db): GroupCommit {
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit((db as Db & { $client: BetterSqlite3.Database }).$client);
    groups.set(db, group);
  }
  return group;
}
