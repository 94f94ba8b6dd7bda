// Group commit: the transactions of requests handled at the same time share one
// SQLite transaction, and so one fsync.
//
// With `synchronous = FULL` each commit waits for the disk to flush the WAL
// (0.7 ms on an idle virtual disk, several ms on a busy one), and because
// Slack is answered only after the commit, a commit per event caps the event
// rate at one event per flush whatever the CPU could do. Here a transaction is
// queued instead: every one queued during one turn of the event loop runs, in
// order, in one transaction at the end of that turn (setImmediate). Each runs in
// its own savepoint, so one that throws is rolled back alone and fails only its
// own caller. A caller's promise settles once the transaction holding its work
// has committed, so "answered only after the commit" holds as before and
// durability is still FULL; only the number of flushes changes.
//
// The work is asynchronous (the store's interface is, for PostgreSQL's sake), but
// on SQLite every query answers at once, so a batch runs to its end within one
// turn of the loop. Other code may still run between two of its queries (promise
// callbacks queued before), and it must not see or join the open transaction: it
// shares the connection. So a batch holds the connection: queries from outside
// wait for `idle()` (db/sqlite-store.ts), and a batch never starts while another
// runs.
//
// Batches grow by themselves under load: while one flush waits for the disk,
// requests pile up in the socket buffers and the next turn of the loop takes
// them all. With one request at a time, a transaction is delayed by one loop turn.

import { setImmediate } from 'node:timers';
import type BetterSqlite3 from 'better-sqlite3';

interface Queued {
  work: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  private queue: Queued[] = [];
  private scheduled = false;
  /** Settles when the batch running now has ended; null when none runs. */
  private running: Promise<void> | null = null;

  /**
   * The transaction's own statements, prepared once: `exec` compiles its SQL on every
   * call, and a batch runs two of them per request (its savepoint and the release).
   */
  private readonly sql: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit' | 'rollback', BetterSqlite3.Statement>;

  constructor(private readonly sqlite: BetterSqlite3.Database) {
    this.sql = {
      // IMMEDIATE: take the write lock at BEGIN, so a batch never fails half-way for want of it.
      begin: sqlite.prepare('BEGIN IMMEDIATE'),
      savepoint: sqlite.prepare('SAVEPOINT request'),
      release: sqlite.prepare('RELEASE request'),
      rollbackTo: sqlite.prepare('ROLLBACK TO request'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
    };
  }

  /**
   * Runs `work` in the next group transaction and resolves with its result once that
   * transaction has committed. If `work` throws, its writes are undone and the promise
   * rejects; the other transactions in the batch commit.
   */
  run<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Whether a batch holds the connection now (then a query of its own waits for `idle()`). */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves once no batch is running: the connection is free for a query of its own. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let ended!: () => void;
    this.running = new Promise((resolve) => (ended = resolve));
    try {
      const outcomes = await this.runBatch(batch);
      outcomes.forEach((outcome, index) => {
        const queued = batch[index]!;
        if (outcome.ok) queued.resolve(outcome.value);
        else queued.reject(outcome.error);
      });
    } catch (error) {
      // BEGIN or COMMIT failed (disk full, I/O error, lock timeout): nothing in the batch was written.
      for (const queued of batch) queued.reject(error);
    } finally {
      this.running = null;
      ended();
      if (this.queue.length > 0) this.schedule();
    }
  }

  private async runBatch(batch: Queued[]): Promise<Outcome[]> {
    const { sqlite, sql } = this;
    sql.begin.run();
    const outcomes: Outcome[] = [];
    try {
      for (const queued of batch) {
        sql.savepoint.run();
        try {
          outcomes.push({ ok: true, value: await queued.work() });
          sql.release.run();
        } catch (error) {
          // SQLite rolls the whole transaction back by itself on some errors (SQLITE_FULL,
          // SQLITE_IOERR, SQLITE_NOMEM). The work after this would then run outside any
          // transaction, each statement committed on its own: fail the whole batch instead.
          if (!sqlite.inTransaction) throw error;
          sql.rollbackTo.run();
          sql.release.run();
          outcomes.push({ ok: false, error });
        }
      }
      sql.commit.run();
      return outcomes;
    } catch (error) {
      if (sqlite.inTransaction) sql.rollback.run();
      throw error;
    }
  }
}
