// Postmortem drafts posted to Slack, on PostgreSQL.

import { and, asc, eq, isNull } from 'drizzle-orm';
import type { PgRunner } from './connection.js';
import { postedDrafts } from './schema.js';

export async function recordPostedDraft(db: PgRunner, draft: { incidentId: number; fileId: string; postedAt: number }): Promise<void> {
  await db.insert(postedDrafts).values(draft);
}

/** Drafts still in Slack for an incident, oldest first (SQLite reads them by id from its index). */
export async function listLiveDrafts(db: PgRunner, incidentId: number): Promise<Array<{ id: number; fileId: string }>> {
  return db
    .select({ id: postedDrafts.id, fileId: postedDrafts.fileId })
    .from(postedDrafts)
    .where(and(eq(postedDrafts.incidentId, incidentId), isNull(postedDrafts.withdrawnAt)))
    .orderBy(asc(postedDrafts.id));
}

export async function markDraftWithdrawn(db: PgRunner, id: number, at: number): Promise<void> {
  await db.update(postedDrafts).set({ withdrawnAt: at }).where(eq(postedDrafts.id, id));
}

/** Every draft file ever recorded for an incident, withdrawn or not, oldest first. */
export async function listDraftFileIds(db: PgRunner, incidentId: number): Promise<string[]> {
  const rows = await db
    .select({ fileId: postedDrafts.fileId })
    .from(postedDrafts)
    .where(eq(postedDrafts.incidentId, incidentId))
    .orderBy(asc(postedDrafts.id));
  return rows.map((row) => row.fileId);
}
