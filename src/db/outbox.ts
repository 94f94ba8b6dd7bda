// Queries for the outbox: what is still to be told to Slack. Each incident's
// jobs form a lane, sent in the order they were queued; lanes go independently.

import { and, asc, desc, eq, gt, inArray, isNull, lte, min, or, sql } from 'drizzle-orm';
import type { Db } from './connection.js';
import { perConnection } from './prepared.js';
import { outbox } from './schema.js';

export type OutboxJob =
  /** Create the incident's channel, invite the declarer, pin the summary (resumable). */
  | { kind: 'open-channel'; respondUrl: string | null }
  /** A message: to the incident's channel (resolved when sent, as it may not exist yet) or a channel id. */
  | { kind: 'post'; channel: 'incident' | string; text: string }
  /** Re-render the pinned summary from what is stored then. */
  | { kind: 'summary' }
  /** Render and upload the draft; `replace` withdraws the drafts posted before. */
  | { kind: 'postmortem'; replace: boolean }
  /**
   * Answer the declare through its response_url: where the channel is (and, if Slack
   * refused to add the declarer, why), or why there is none (`failure`).
   */
  | { kind: 'tell-declarer'; respondUrl: string; refused: string | null; failure: string | null }
  /** Add someone who took a role to the incident's channel (already being there is fine). */
  | { kind: 'invite'; userId: string };

export interface OutboxEntry {
  id: number;
  incidentId: number;
  job: OutboxJob;
  createdAt: number;
  attempts: number;
}

type Writer = Pick<Db, 'insert' | 'select'>;

/** Who takes a job, and for how long it is theirs before another replica may take it over. */
export interface LaneClaim {
  replica: string;
  leaseMs: number;
}

/**
 * Replacing a draft deletes a file people may be reading and uploads another: however
 * many deletes come in, an incident's draft is replaced at most once in this long.
 */
export const DRAFT_REPLACEMENT_INTERVAL_MS = 60_000;

/** Queues a job; call it in the transaction that makes the change it reports. */
export function enqueue(db: Writer, incidentId: number, job: OutboxJob, at: number): void {
  // One refresh not yet started renders the latest state; a second would only repeat it.
  // One already started may have read an older state, so it does not count.
  if (job.kind === 'summary' && unstarted(db, incidentId, 'summary')) return;
  let notBefore: number | null = null;
  if (job.kind === 'postmortem' && job.replace) {
    // The same holds for a replacement draft: it is rendered when it is sent.
    if (unstarted(db, incidentId, 'postmortem', sql`json_extract(${outbox.payload}, '$.replace') = 1`)) return;
    notBefore = nextReplacementAt(db, incidentId, at);
  }
  const { kind, ...payload } = job;
  db.insert(outbox).values({ incidentId, kind, payload, createdAt: at, notBefore }).run();
}

function unstarted(db: Writer, incidentId: number, kind: OutboxJob['kind'], also = sql`1`): boolean {
  const pending = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, kind), isNull(outbox.doneAt), eq(outbox.attempts, 0), also))
    .get();
  return pending !== undefined;
}

/** A job of this kind is being sent (or retried): it may have read the incident before the latest change. */
export function startedNotDone(db: Writer, incidentId: number, kind: OutboxJob['kind']): boolean {
  const started = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, kind), isNull(outbox.doneAt), gt(outbox.attempts, 0)))
    .get();
  return started !== undefined;
}

/** When a new replacement may go: a minute after the last one finished (or from now, while one is still going). */
function nextReplacementAt(db: Writer, incidentId: number, at: number): number | null {
  const last = db
    .select({ doneAt: outbox.doneAt })
    .from(outbox)
    .where(
      and(
        eq(outbox.incidentId, incidentId),
        eq(outbox.kind, 'postmortem'),
        gt(outbox.attempts, 0),
        sql`json_extract(${outbox.payload}, '$.replace') = 1`,
      ),
    )
    .orderBy(desc(outbox.id))
    .get();
  if (!last) return null;
  const from = last.doneAt ?? at;
  return from + DRAFT_REPLACEMENT_INTERVAL_MS > at ? from + DRAFT_REPLACEMENT_INTERVAL_MS : null;
}

/** A job not yet sent whose time has come (it has none, or it has passed). */
const due = (now: number | ReturnType<typeof sql.placeholder>) => and(isNull(outbox.doneAt), or(isNull(outbox.notBefore), lte(outbox.notBefore, now)));

/** A stored job as the worker reads it; the PostgreSQL twin's rows have the same columns. */
function entryOf(row: Pick<typeof outbox.$inferSelect, 'id' | 'incidentId' | 'kind' | 'payload' | 'createdAt' | 'attempts'>): OutboxEntry {
  return {
    id: row.id,
    incidentId: row.incidentId,
    job: { kind: row.kind, ...row.payload } as OutboxJob,
    createdAt: row.createdAt,
    attempts: row.attempts,
  };
}

/** The row mapping, shared with pg/outbox.ts. An object: every function this module exports is a query (store.ts). */
export const outboxRows = { entryOf } as const;

/** Every pending job, oldest first, whatever its time. */
export function pendingJobs(db: Db, limit: number): OutboxEntry[] {
  return db.select().from(outbox).where(isNull(outbox.doneAt)).orderBy(asc(outbox.id)).limit(limit).all().map(entryOf);
}

/** The next job of each lane that has one due: what could be sent now. */
export function laneHeads(db: Db, now: number): OutboxEntry[] {
  const heads = db.select({ id: min(outbox.id) }).from(outbox).where(due(now)).groupBy(outbox.incidentId);
  return db.select().from(outbox).where(inArray(outbox.id, heads)).orderBy(asc(outbox.id)).all().map(entryOf);
}

// What the worker runs for every job it sends: prepared once (see prepared.ts).
const p = sql.placeholder;
const perJob = perConnection((db) => ({
  nextInLane: db
    .select()
    .from(outbox)
    .where(and(eq(outbox.incidentId, p('incidentId')), due(p('now'))))
    .orderBy(asc(outbox.id))
    .limit(1)
    .prepare(),
  markAttempt: db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, p('id')))
    .prepare(),
  // set() takes a placeholder only inside sql``.
  markSent: db.update(outbox).set({ doneAt: sql`${p('at')}` }).where(eq(outbox.id, p('id'))).prepare(),
  nextNotBefore: db
    .select({ at: min(outbox.notBefore) })
    .from(outbox)
    .where(and(isNull(outbox.doneAt), gt(outbox.notBefore, p('now'))))
    .prepare(),
}));

/** The next job due in one incident's lane. A job waiting for its time lets the jobs behind it by. */
export function nextInLane(db: Db, incidentId: number, now: number): OutboxEntry | null {
  const row = perJob(db).nextInLane.get({ incidentId, now });
  return row ? entryOf(row) : null;
}

/**
 * Takes the next job due in one lane to send it, counting the attempt. One process
 * sends on SQLite, so there is no other replica to hold the job against; the
 * PostgreSQL store leases it to `claim.replica` (db/pg/outbox.ts).
 */
export function claimNextInLane(db: Db, incidentId: number, now: number, _claim: LaneClaim): OutboxEntry | null {
  const entry = nextInLane(db, incidentId, now);
  if (entry) markAttempt(db, entry.id);
  return entry;
}

/**
 * Keeps a claimed job its sender's while the sending takes longer than the lease
 * (db/pg/outbox.ts). One process sends on SQLite: no other can take the job over, so
 * the claim always holds.
 */
export function renewLease(_db: Db, _id: number, _now: number, _claim: LaneClaim): boolean {
  return true;
}

/** The earliest time a pending job is waiting for, if any is. */
export function nextNotBefore(db: Db, now: number): number | null {
  return perJob(db).nextNotBefore.get({ now })?.at ?? null;
}

/**
 * Fills in part of a job that is queued but not started: something learnt after it
 * was queued (whether Slack added the declarer) that it must carry when it is sent.
 */
export function amendUnstarted(db: Db, incidentId: number, kind: OutboxJob['kind'], patch: Record<string, unknown>): void {
  const rows = db
    .select({ id: outbox.id, payload: outbox.payload })
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, kind), isNull(outbox.doneAt), eq(outbox.attempts, 0)))
    .all();
  for (const row of rows) db.update(outbox).set({ payload: { ...row.payload, ...patch } }).where(eq(outbox.id, row.id)).run();
}

/** Slack took the job, sent by `replica` (on PostgreSQL, only while it still holds the job). False when it was not recorded. */
export function markSent(db: Db, id: number, at: number, _replica: string): boolean {
  return perJob(db).markSent.run({ id, at }).changes > 0;
}

/** Counts an attempt as it starts; a job with attempts is no longer "queued but not started". */
export function markAttempt(db: Db, id: number): void {
  perJob(db).markAttempt.run({ id });
}

/** A failed attempt, by `replica` (on PostgreSQL it gives back its claim, if it still holds it). */
export function noteError(db: Db, id: number, error: string, _replica: string): void {
  db.update(outbox).set({ lastError: error }).where(eq(outbox.id, id)).run();
}

/** Failed for good, tried by `replica` (on PostgreSQL, only while it still holds the job). False when it was not recorded. */
export function markFailed(db: Db, id: number, at: number, error: string, _replica: string): boolean {
  return db.update(outbox).set({ doneAt: at, failed: true, lastError: error }).where(eq(outbox.id, id)).run().changes > 0;
}
