// Reminders on PostgreSQL, with several replicas noticing the same due time: the
// nudge is sent by the one replica whose claim changes the row. The claim is a
// conditional UPDATE; PostgreSQL runs two of them on the same row one after the
// other, and the second finds the condition no longer true.

import { and, eq, isNull, lte, ne, or } from 'drizzle-orm';
import type { PgDb } from './connection.js';
import { incidents } from './schema.js';

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
