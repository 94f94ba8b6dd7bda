// Queries for reminder bookkeeping: what the reminder pass needs to know about
// each open incident, and the record that a nudge went out.

import { and, eq, inArray, isNotNull, isNull, max, ne } from 'drizzle-orm';
import type { Status } from '../domain/incident.js';
import type { Db } from './connection.js';
import { incidentEvents, incidents } from './schema.js';

export interface ReminderRow {
  number: number;
  status: Status;
  channelId: string;
  leadId: string | null;
  declaredAt: number;
  /** The latest `status` or `declared` event; null only for rows made outside insertIncident. */
  lastUpdateAt: number | null;
  remindedAt: number | null;
  leadRemindedAt: number | null;
}

/** Open incidents that have a channel, with the time of their latest status update. */
export function listReminderCandidates(db: Db): ReminderRow[] {
  const lastUpdate = db
    .select({ incidentId: incidentEvents.incidentId, at: max(incidentEvents.at).as('last_update_at') })
    .from(incidentEvents)
    .where(inArray(incidentEvents.kind, ['status', 'declared']))
    .groupBy(incidentEvents.incidentId)
    .as('last_update');
  return db
    .select({
      number: incidents.id,
      status: incidents.status,
      channelId: incidents.channelId,
      leadId: incidents.leadId,
      declaredAt: incidents.declaredAt,
      lastUpdateAt: lastUpdate.at,
      remindedAt: incidents.remindedAt,
      leadRemindedAt: incidents.leadRemindedAt,
    })
    .from(incidents)
    .leftJoin(lastUpdate, eq(lastUpdate.incidentId, incidents.id))
    .where(and(ne(incidents.status, 'resolved'), isNotNull(incidents.channelId)))
    .orderBy(incidents.id)
    .all()
    .map((row) => ({ ...row, status: row.status as Status, channelId: row.channelId ?? '' }));
}

/**
 * Marks the status-update nudge sent at `at`, if it is still as the pass saw it
 * (`seen`, the last time it was sent, or null): true if this call marked it. Replicas
 * sharing a store may see the same nudge due at once; only one marks it, and queues it.
 */
export function markUpdateReminded(db: Db, number: number, at: number, seen: number | null): boolean {
  const still = seen === null ? isNull(incidents.remindedAt) : eq(incidents.remindedAt, seen);
  return db.update(incidents).set({ remindedAt: at }).where(and(eq(incidents.id, number), ne(incidents.status, 'resolved'), still)).run().changes === 1;
}

/** The same for the nudge to name a lead. */
export function markLeadReminded(db: Db, number: number, at: number, seen: number | null): boolean {
  const still = seen === null ? isNull(incidents.leadRemindedAt) : eq(incidents.leadRemindedAt, seen);
  return db.update(incidents).set({ leadRemindedAt: at }).where(and(eq(incidents.id, number), ne(incidents.status, 'resolved'), still)).run().changes === 1;
}
