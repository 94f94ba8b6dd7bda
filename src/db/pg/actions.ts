// Queries for follow-up actions, on PostgreSQL.

import { asc, eq } from 'drizzle-orm';
import type { FollowUpAction } from '../../domain/timeline.js';
import { actionRows, type NewAction } from '../actions.js';
import type { PgRunner } from './connection.js';
import { actions } from './schema.js';

export async function addAction(db: PgRunner, action: NewAction): Promise<void> {
  await db.insert(actions).values(action);
}

export async function listActions(db: PgRunner, incidentId: number): Promise<FollowUpAction[]> {
  const rows = await db.select().from(actions).where(eq(actions.incidentId, incidentId)).orderBy(asc(actions.createdAt), asc(actions.id));
  return rows.map(actionRows.toAction);
}
