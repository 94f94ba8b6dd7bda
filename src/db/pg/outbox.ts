// The outbox on PostgreSQL, shared by every replica: the twins of db/outbox.ts's
// queries, answering as SQLite does for the same jobs. Each incident's jobs are a
// lane sent in the order queued. A replica takes a lane's next job with
// claimNextInLane: claims of one lane are taken one at a time, under a lock held
// until the claim commits, and the lease written with the claim keeps the job the
// replica's own after that. While a job's lease is live (`lease_until >= now`) its
// lane belongs to that replica, so neither the job nor the ones behind it are
// offered to others, and the lease's end is one of the times nextNotBefore reports.
// A replica renews the lease while it sends (renewLease), so a job that outlasts its
// lease stays its own; one that dies holding a job stops renewing, its lease runs out,
// and another takes the job over. What Slack already has is never sent twice even
// then: the post-once lookups (src/outbox/post.ts) find a message the dead replica did
// post. What a replica learns of a job it no longer holds (sent, failed) is not
// recorded: the job is the new holder's, whose lane must stay held until it is done.

import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, min, ne, notExists, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { DRAFT_REPLACEMENT_INTERVAL_MS, outboxRows, type LaneClaim, type OutboxEntry, type OutboxJob } from '../outbox.js';
import type { PgRunner } from './connection.js';
import { outbox } from './schema.js';

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

const { entryOf } = outboxRows;

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

/** Names "a lane is being claimed" among advisory locks; the lane's incident is the second key. */
const LANE_CLAIM_LOCK = 0x5172_0b0c;

/**
 * Takes the next job due in one lane for `claim.replica`: counts its attempt and leases
 * it until `now + claim.leaseMs`. Null when the lane has nothing due, or another replica
 * holds a live lease in it. Claims of one lane are taken one at a time (a lock held
 * until the claim commits), so two replicas never both take its head; the lease keeps
 * it theirs after that, until they finish it or the lease runs out (they died).
 */
export async function claimNextInLane(db: PgRunner, incidentId: number, now: number, claim: LaneClaim): Promise<OutboxEntry | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${LANE_CLAIM_LOCK}, ${incidentId})`);
    const heldElsewhere = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.incidentId, incidentId), isNull(outbox.doneAt), gte(outbox.leaseUntil, now), ne(outbox.claimedBy, claim.replica)))
      .limit(1);
    if (heldElsewhere.length > 0) return null;
    const [head] = await tx.select().from(outbox).where(and(eq(outbox.incidentId, incidentId), due(now))).orderBy(asc(outbox.id)).limit(1);
    if (!head) return null;
    // Checked again as the row is written: a renewal that committed since the look above
    // (its holder was late, not dead) keeps the job its holder's, and a holder that
    // finished it since (done, its lease cleared) leaves nothing to take.
    const taken = await tx
      .update(outbox)
      .set({ attempts: sql`${outbox.attempts} + 1`, claimedBy: claim.replica, leaseUntil: now + claim.leaseMs })
      .where(
        and(
          eq(outbox.id, head.id),
          isNull(outbox.doneAt),
          or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now), eq(outbox.claimedBy, claim.replica)),
        ),
      )
      .returning({ id: outbox.id });
    return taken.length > 0 ? entryOf(head) : null;
  });
}

/**
 * Keeps `claim.replica`'s job its own for another `claim.leaseMs` from `now`, while it
 * is still sending it. False when the job is no longer its own: another replica took
 * it over after the lease ran out, or it is done. A renewal never shortens a lease.
 */
export async function renewLease(db: PgRunner, id: number, now: number, claim: LaneClaim): Promise<boolean> {
  const renewed = await db
    .update(outbox)
    .set({ leaseUntil: sql`greatest(${outbox.leaseUntil}, ${now + claim.leaseMs})` })
    .where(and(eq(outbox.id, id), eq(outbox.claimedBy, claim.replica), isNull(outbox.doneAt)))
    .returning({ id: outbox.id });
  return renewed.length > 0;
}

/** The job is still `replica`'s. */
const heldBy = (id: number, replica: string) => and(eq(outbox.id, id), eq(outbox.claimedBy, replica));

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

/**
 * Slack took the job, sent by `replica`: recorded only while the job is its own. A
 * replica whose lease ran out while it waited on Slack leaves the job to the one that
 * took it over, which holds the lane until it is done and looks before it sends again.
 * A job done holds no lease.
 */
export async function markSent(db: PgRunner, id: number, at: number, replica: string): Promise<boolean> {
  const marked = await db
    .update(outbox)
    .set({ doneAt: at, claimedBy: null, leaseUntil: null })
    .where(heldBy(id, replica))
    .returning({ id: outbox.id });
  return marked.length > 0;
}

/** Counts an attempt as it starts; a job with attempts is no longer "queued but not started". */
export async function markAttempt(db: PgRunner, id: number): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1` })
    .where(eq(outbox.id, id));
}

/**
 * A failed attempt gives the job back: whichever replica's backoff ends first tries
 * again. Only its own claim: a replica whose lease ran out while it waited on Slack
 * must not free, or write its error over, a job another has taken over since.
 */
export async function noteError(db: PgRunner, id: number, error: string, replica: string): Promise<void> {
  await db.update(outbox).set({ lastError: error, claimedBy: null, leaseUntil: null }).where(heldBy(id, replica));
}

/** Failed for good, tried by `replica`: recorded only while the job is its own (see markSent). */
export async function markFailed(db: PgRunner, id: number, at: number, error: string, replica: string): Promise<boolean> {
  const marked = await db
    .update(outbox)
    .set({ doneAt: at, failed: true, lastError: error, claimedBy: null, leaseUntil: null })
    .where(heldBy(id, replica))
    .returning({ id: outbox.id });
  return marked.length > 0;
}
