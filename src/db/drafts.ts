// Postmortem drafts posted to Slack.

import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './connection.js';
import { postedDrafts } from './schema.js';

export function recordPostedDraft(db: Db, draft: { incidentId: number; fileId: string; postedAt: number }): void {
  db.insert(postedDrafts).values(draft).run();
}

/** Drafts still in Slack for an incident. */
export function listLiveDrafts(db: Db, incidentId: number): Array<{ id: number; fileId: string }> {
  return db
    .select({ id: postedDrafts.id, fileId: postedDrafts.fileId })
    .from(postedDrafts)
    .where(and(eq(postedDrafts.incidentId, incidentId), isNull(postedDrafts.withdrawnAt)))
    .all();
}

export function markDraftWithdrawn(db: Db, id: number, at: number): void {
  db.update(postedDrafts).set({ withdrawnAt: at }).where(eq(postedDrafts.id, id)).run();
}

/** Every draft file ever recorded for an incident, withdrawn or not. */
export function listDraftFileIds(db: Db, incidentId: number): string[] {
  return db
    .select({ fileId: postedDrafts.fileId })
    .from(postedDrafts)
    .where(eq(postedDrafts.incidentId, incidentId))
    .all()
    .map((row) => row.fileId);
}
