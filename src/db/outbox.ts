// Queries for the outbox: what is still to be told to Slack.

import { asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './connection.js';
import { outbox } from './schema.js';

export type OutboxJob =
  /** Create the incident's channel, invite the declarer, pin the summary (resumable). */
  | { kind: 'open-channel'; respondUrl: string | null }
  /** A message: to the incident's channel (resolved when sent, as it may not exist yet) or a channel id. */
  | { kind: 'post'; channel: 'incident' | string; text: string }
  /** Re-render the pinned summary from what is stored then. */
  | { kind: 'summary' }
  /** Render and upload the draft; `replace` withdraws the drafts posted before. */
  | { kind: 'postmortem'; replace: boolean };

export interface OutboxEntry {
  id: number;
  incidentId: number;
  job: OutboxJob;
  createdAt: number;
  attempts: number;
}

type Writer = Pick<Db, 'insert' | 'select'>;

/** Queues a job; call it in the transaction that makes the change it reports. */
export function enqueue(db: Writer, incidentId: number, job: OutboxJob, at: number): void {
  if (job.kind === 'summary') {
    // One refresh not yet started renders the latest state; a second would only repeat it.
    // One already started may have read an older state, so it does not count.
    const pending = db
      .select({ id: outbox.id })
      .from(outbox)
      .where(sql`${outbox.incidentId} = ${incidentId} and ${outbox.kind} = 'summary' and ${outbox.doneAt} is null and ${outbox.attempts} = 0`)
      .get();
    if (pending) return;
  }
  const { kind, ...payload } = job;
  db.insert(outbox).values({ incidentId, kind, payload, createdAt: at }).run();
}

export function pendingJobs(db: Db, limit: number): OutboxEntry[] {
  return db
    .select()
    .from(outbox)
    .where(isNull(outbox.doneAt))
    .orderBy(asc(outbox.id))
    .limit(limit)
    .all()
    .map((row) => ({
      id: row.id,
      incidentId: row.incidentId,
      job: { kind: row.kind, ...row.payload } as OutboxJob,
      createdAt: row.createdAt,
      attempts: row.attempts,
    }));
}

export function markSent(db: Db, id: number, at: number): void {
  db.update(outbox).set({ doneAt: at }).where(eq(outbox.id, id)).run();
}

/** Counts an attempt as it starts; a job with attempts is no longer "queued but not started". */
export function markAttempt(db: Db, id: number): void {
  db.update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, id))
    .run();
}

export function noteError(db: Db, id: number, error: string): void {
  db.update(outbox).set({ lastError: error }).where(eq(outbox.id, id)).run();
}

export function markFailed(db: Db, id: number, at: number, error: string): void {
  db.update(outbox).set({ doneAt: at, failed: true, lastError: error }).where(eq(outbox.id, id)).run();
}
