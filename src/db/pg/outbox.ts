// The outbox on PostgreSQL, shared by every replica. Each incident's jobs are a
// lane sent in the order queued; a replica takes the head of a lane by claiming it:
// `FOR UPDATE SKIP LOCKED` keeps two replicas claiming at the same moment from
// taking the same job (the second passes over the row the first holds), and the
// lease written with the claim keeps the job its own after that transaction ends.
// A replica that dies holding a job leaves its lease to run out; then the job is a
// lane head like any other, and another replica takes it.
// What Slack already has is never sent twice even then: the post-once lookups
// (src/outbox/post.ts) find a message the dead replica did post.

import { and, eq, sql } from 'drizzle-orm';
import type { PgDb } from './connection.js';
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
