// The outbox on PostgreSQL, shared by every replica. Each incident's jobs are a
// lane sent in the order queued; a replica takes the head of a lane by claiming it:
// `FOR UPDATE SKIP LOCKED` keeps two replicas claiming at the same moment from
// taking the same job (the second passes over the row the first holds), and the
// lease written with the claim keeps the job its own after that transaction ends.
// A replica that dies holding a job leaves its lease to run out; then the job is a
// lane head like any other, and another replica takes it.
// What Slack already has is never sent twice even then: the post-once lookups
// (src/outbox/post.ts) find a message the dead replica did post.
//
// Below the claims, the twins of db/outbox.ts's queries, which the worker sending
// from one process uses. They answer as SQLite does for the same jobs. A lease is
// the one thing SQLite never has, and they read it as the claims do: while a job's
// lease is live (`lease_until >= now`) its lane belongs to the replica holding it,
// so neither that job nor the ones behind it are offered, and the lease's end is
// one of the times nextNotBefore reports.

import { and, asc, desc, eq, gt, gte, inArray, isNull, lte, min, notExists, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { DRAFT_REPLACEMENT_INTERVAL_MS, type OutboxEntry, type OutboxJob } from '../outbox.js';
import type { PgDb, PgRunner } from './connection.js';
import { outbox } from './schema.js';

export interface ClaimedJob {
  id: number;
  incidentId: number;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: number;
  attempts: number;
}

/**
 * Claims up to `limit` lane heads that are due (not before `now`) and held by nobody
 * (or by a lease that has run out), for `replica` until `now + leaseMs`; counts an
 * attempt on each. One lane's head at most: the next job of a lane waits until the
 * one before it is done.
 */
export async function claimLaneHeads(db: PgDb, replica: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
  const result = await db.execute<{
    id: number;
    incident_id: number;
    kind: string;
    payload: Record<string, unknown>;
    created_at: string;
    attempts: number;
  }>(sql`
    with heads as (
      select o.id from ${outbox} o
      where o.done_at is null
        and (o.not_before is null or o.not_before <= ${now})
        and (o.lease_until is null or o.lease_until < ${now})
        and o.id = (select min(p.id) from ${outbox} p where p.incident_id = o.incident_id and p.done_at is null)
      order by o.id
      limit ${limit}
      for update skip locked
    )
    update ${outbox} set claimed_by = ${replica}, lease_until = ${now + leaseMs}, attempts = ${outbox.attempts} + 1
    from heads where ${outbox.id} = heads.id
    returning ${outbox.id}, ${outbox.incidentId}, ${outbox.kind}, ${outbox.payload}, ${outbox.createdAt}, ${outbox.attempts}`);
  return result.rows
    .map((row) => ({
      id: row.id,
      incidentId: row.incident_id,
      kind: row.kind,
      payload: row.payload,
      createdAt: Number(row.created_at),
      attempts: row.attempts,
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Marks a claimed job done. False when the claim was no longer this replica's (its lease
 * ran out and another replica took the job): the caller's work stands, and the other
 * replica's post-once lookup will find it.
 */
export async function completeJob(db: PgDb, replica: string, id: number, at: number): Promise<boolean> {
  const done = await db
    .update(outbox)
    .set({ doneAt: at, claimedBy: null, leaseUntil: null })
    .where(and(eq(outbox.id, id), eq(outbox.claimedBy, replica)))
    .returning({ id: outbox.id });
  return done.length === 1;
}

/** Gives a claimed job back after a failure worth retrying, not before `retryAt`. */
export async function releaseJob(db: PgDb, replica: string, id: number, retryAt: number, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ claimedBy: null, leaseUntil: null, notBefore: retryAt, lastError: error })
    .where(and(eq(outbox.id, id), eq(outbox.claimedBy, replica)));
}

/**
 * A draft replacement. jsonb keeps `replace: true` as JSON true, which `->>` reads as
 * the text 'true' (where SQLite's json_extract gives the integer 1).
 */
const replacing = sql`(${outbox.payload}->>'replace') = 'true'`;

/**
 * Queues a job; call it in the transaction that makes the change it reports.
 *
 * Two replicas queuing for one incident at the same moment each look before the other's
 * job is committed. Where both transactions have already written the incident's row, the
 * second waits on that row until the first commits, and (read committed) its look then
 * sees the first one's job. Where not, both may queue: a second summary refresh only
 * renders the same state again, which is harmless; a second draft replacement has its
 * not-before worked out before the first started, so the draft is replaced twice in a
 * row, one delete and upload more than the interval allows, and the draft left is right.
 */
export async function enqueue(db: PgRunner, incidentId: number, job: OutboxJob, at: number): Promise<void> {
  // One refresh not yet started renders the latest state; a second would only repeat it.
  // One already started may have read an older state, so it does not count.
  if (job.kind === 'summary' && (await unstarted(db, incidentId, 'summary'))) return;
  let notBefore: number | null = null;
  if (job.kind === 'postmortem' && job.replace) {
    // The same holds for a replacement draft: it is rendered when it is sent.
    if (await unstarted(db, incidentId, 'postmortem', replacing)) return;
    notBefore = await nextReplacementAt(db, incidentId, at);
  }
  const { kind, ...payload } = job;
  await db.insert(outbox).values({ incidentId, kind, payload, createdAt: at, notBefore });
}

async function unstarted(db: PgRunner, incidentId: number, kind: OutboxJob['kind'], also?: SQL): Promise<boolean> {
  const [pending] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, kind), isNull(outbox.doneAt), eq(outbox.attempts, 0), also))
    .limit(1);
  return pending !== undefined;
}

/** A job of this kind is being sent (or retried): it may have read the incident before the latest change. */
export async function startedNotDone(db: PgRunner, incidentId: number, kind: OutboxJob['kind']): Promise<boolean> {
  const [started] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, kind), isNull(outbox.doneAt), gt(outbox.attempts, 0)))
    .limit(1);
  return started !== undefined;
}

/** When a new replacement may go: a minute after the last one finished (or from now, while one is still going). */
async function nextReplacementAt(db: PgRunner, incidentId: number, at: number): Promise<number | null> {
  const [last] = await db
    .select({ doneAt: outbox.doneAt })
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, 'postmortem'), gt(outbox.attempts, 0), replacing))
    .orderBy(desc(outbox.id))
    .limit(1);
  if (!last) return null;
  const from = last.doneAt ?? at;
  return from + DRAFT_REPLACEMENT_INTERVAL_MS > at ? from + DRAFT_REPLACEMENT_INTERVAL_MS : null;
}

/** A job not yet sent whose time has come (it has none, or it has passed). */
const due = (now: number) => and(isNull(outbox.doneAt), or(isNull(outbox.notBefore), lte(outbox.notBefore, now)));

const held = alias(outbox, 'held');

/**
 * No job of the lane is under a live lease. The claims take a lane's first pending job
 * only, so a lease holds the whole lane: offering the job behind it would send the lane
 * out of order, and offering the held job would send it twice.
 */
const laneFree = (db: PgRunner, now: number) =>
  notExists(
    db
      .select({ id: held.id })
      .from(held)
      .where(and(eq(held.incidentId, outbox.incidentId), isNull(held.doneAt), gte(held.leaseUntil, now))),
  );

function entryOf(row: typeof outbox.$inferSelect): OutboxEntry {
  return {
    id: row.id,
    incidentId: row.incidentId,
    job: { kind: row.kind, ...row.payload } as OutboxJob,
    createdAt: row.createdAt,
    attempts: row.attempts,
  };
}

/** Every pending job, oldest first, whatever its time. */
export async function pendingJobs(db: PgRunner, limit: number): Promise<OutboxEntry[]> {
  const rows = await db.select().from(outbox).where(isNull(outbox.doneAt)).orderBy(asc(outbox.id)).limit(limit);
  return rows.map(entryOf);
}

/** The next job of each lane that has one due and is held by no replica: what could be sent now. */
export async function laneHeads(db: PgRunner, now: number): Promise<OutboxEntry[]> {
  const heads = db.select({ id: min(outbox.id) }).from(outbox).where(due(now)).groupBy(outbox.incidentId);
  const rows = await db
    .select()
    .from(outbox)
    .where(and(inArray(outbox.id, heads), laneFree(db, now)))
    .orderBy(asc(outbox.id));
  return rows.map(entryOf);
}

/**
 * The next job due in one incident's lane, unless a replica holds the lane. A job
 * waiting for its time lets the jobs behind it by.
 */
export async function nextInLane(db: PgRunner, incidentId: number, now: number): Promise<OutboxEntry | null> {
  const [row] = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.incidentId, incidentId), due(now), laneFree(db, now)))
    .orderBy(asc(outbox.id))
    .limit(1);
  return row ? entryOf(row) : null;
}

/**
 * The earliest time a pending job is waiting for, if any is: its not-before time, or
 * the end of a lease on it (then a replica that died holding it is taken over without
 * waiting for another kick). `greatest` passes over nulls, so a job with neither waits
 * for nothing.
 */
export async function nextNotBefore(db: PgRunner, now: number): Promise<number | null> {
  const freeAt = sql`greatest(${outbox.notBefore}, ${outbox.leaseUntil} + 1)`;
  const [row] = await db
    .select({ at: sql<number | null>`min(${freeAt})`.mapWith(Number) })
    .from(outbox)
    .where(and(isNull(outbox.doneAt), sql`${freeAt} > ${now}`));
  return row?.at ?? null;
}

/**
 * Fills in part of a job that is queued but not started: something learnt after it
 * was queued (whether Slack added the declarer) that it must carry when it is sent.
 */
export async function amendUnstarted(db: PgRunner, incidentId: number, kind: OutboxJob['kind'], patch: Record<string, unknown>): Promise<void> {
  // Merged in one statement, so a replica starting the job at that moment either counts
  // its attempt first (and the job, started, is left as it is) or sends it amended. A key
  // patched to undefined goes, as it does from SQLite's JSON text.
  const dropped = Object.keys(patch).filter((key) => patch[key] === undefined);
  await db
    .update(outbox)
    .set({ payload: sql`(${outbox.payload} - ${sql.param(dropped)}::text[]) || ${JSON.stringify(patch)}::jsonb` })
    .where(and(eq(outbox.incidentId, incidentId), eq(outbox.kind, kind), isNull(outbox.doneAt), eq(outbox.attempts, 0)));
}

// A job done holds no lease, as completeJob leaves it: a replica whose lease ran out
// while another sent the job then finds, at completeJob, that it is no longer its own.
export async function markSent(db: PgRunner, id: number, at: number): Promise<void> {
  await db.update(outbox).set({ doneAt: at, claimedBy: null, leaseUntil: null }).where(eq(outbox.id, id));
}

/** Counts an attempt as it starts; a job with attempts is no longer "queued but not started". */
export async function markAttempt(db: PgRunner, id: number): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, id));
}

export async function noteError(db: PgRunner, id: number, error: string): Promise<void> {
  await db.update(outbox).set({ lastError: error }).where(eq(outbox.id, id));
}

export async function markFailed(db: PgRunner, id: number, at: number, error: string): Promise<void> {
  await db.update(outbox).set({ doneAt: at, failed: true, lastError: error, claimedBy: null, leaseUntil: null }).where(eq(outbox.id, id));
}
