// Reminders on PostgreSQL: what the reminder pass needs to know about each open
// incident, and the record that a nudge went out.
//
// Several replicas notice the same due time: the nudge is sent by the one replica
// whose claim changes the row. The claim is a conditional UPDATE; PostgreSQL runs
// two of them on the same row one after the other, and the second finds the
// condition no longer true.

import { and, asc, eq, inArray, isNotNull, isNull, lte, max, ne, or, sql } from 'drizzle-orm';
import type { Status } from '../../domain/incident.js';
import type { ReminderRow } from '../reminders.js';
import type { PgDb, PgRunner } from './connection.js';
import { incidentEvents, incidents } from './schema.js';

/** Open incidents that have a channel, with the time of their latest status update. */
export async function listReminderCandidates(db: PgRunner): Promise<ReminderRow[]> {
  // Correlated, so each open incident reads its own events through their index, rather
  // than every incident ever declared being grouped on each reminder pass.
  const latestUpdate = db
    .select({ at: max(incidentEvents.at) })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentId, incidents.id), inArray(incidentEvents.kind, ['status', 'declared'])));
  const rows = await db
    .select({
      number: incidents.id,
      status: incidents.status,
      channelId: incidents.channelId,
      leadId: incidents.leadId,
      declaredAt: incidents.declaredAt,
      lastUpdateAt: sql<number | null>`${latestUpdate}`.mapWith(Number),
      remindedAt: incidents.remindedAt,
      leadRemindedAt: incidents.leadRemindedAt,
    })
    .from(incidents)
    .where(and(ne(incidents.status, 'resolved'), isNotNull(incidents.channelId)))
    .orderBy(asc(incidents.id));
  return rows.map((row) => ({ ...row, status: row.status as Status, channelId: row.channelId ?? '' }));
}

export async function markUpdateReminded(db: PgRunner, number: number, at: number): Promise<void> {
  await db.update(incidents).set({ remindedAt: at }).where(eq(incidents.id, number));
}

export async function markLeadReminded(db: PgRunner, number: number, at: number): Promise<void> {
  await db.update(incidents).set({ leadRemindedAt: at }).where(eq(incidents.id, number));
}

/**
 * Claims the status-update reminder of incident `number` that fell due at or before
 * `dueBefore` (the last update or reminder, whichever is later, is older than the
 * interval), stamping it `now`. True for exactly one claimant per due time.
 */
export async function claimUpdateReminder(db: PgDb, number: number, dueBefore: number, now: number): Promise<boolean> {
  const claimed = await db
    .update(incidents)
    .set({ remindedAt: now })
    .where(
      and(
        eq(incidents.id, number),
        ne(incidents.status, 'resolved'),
        or(isNull(incidents.remindedAt), lte(incidents.remindedAt, dueBefore)),
      ),
    )
    .returning({ id: incidents.id });
  return claimed.length === 1;
}
