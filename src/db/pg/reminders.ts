// Reminders on PostgreSQL: what the reminder pass needs to know about each open
// incident, and the record that a nudge went out.
//
// Several replicas notice the same due time: the nudge is queued by the one replica
// whose mark changes the row (markUpdateReminded, markLeadReminded).

import { and, asc, eq, inArray, isNotNull, isNull, max, ne, sql } from 'drizzle-orm';
import type { Status } from '../../domain/incident.js';
import type { ReminderRow } from '../reminders.js';
import type { PgRunner } from './connection.js';
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

/**
 * Marks a nudge sent if it is still as the pass saw it: a conditional UPDATE, which
 * PostgreSQL runs on one row one after another, so of two replicas that saw the nudge
 * due, the second finds the condition no longer true and sends nothing.
 */
export async function markUpdateReminded(db: PgRunner, number: number, at: number, seen: number | null): Promise<boolean> {
  const still = seen === null ? isNull(incidents.remindedAt) : eq(incidents.remindedAt, seen);
  const marked = await db.update(incidents).set({ remindedAt: at }).where(and(eq(incidents.id, number), ne(incidents.status, 'resolved'), still)).returning({ id: incidents.id });
  return marked.length === 1;
}

export async function markLeadReminded(db: PgRunner, number: number, at: number, seen: number | null): Promise<boolean> {
  const still = seen === null ? isNull(incidents.leadRemindedAt) : eq(incidents.leadRemindedAt, seen);
  const marked = await db.update(incidents).set({ leadRemindedAt: at }).where(and(eq(incidents.id, number), ne(incidents.status, 'resolved'), still)).returning({ id: incidents.id });
  return marked.length === 1;
}
