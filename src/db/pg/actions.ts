// Queries for follow-up actions, on PostgreSQL.

import { asc, eq } from 'drizzle-orm';
import { isActionType, type ActionType, type FollowUpAction } from '../../domain/timeline.js';
import type { PgRunner } from './connection.js';
import { actions } from './schema.js';

export async function addAction(
  db: PgRunner,
  action: {
    incidentId: number;
    text: string;
    ownerId: string | null;
    type: ActionType | null;
    ticketUrl: string | null;
    createdBy: string;
    createdAt: number;
  },
): Promise<void> {
  await db.insert(actions).values(action);
}

export async function listActions(db: PgRunner, incidentId: number): Promise<FollowUpAction[]> {
  const rows = await db.select().from(actions).where(eq(actions.incidentId, incidentId)).orderBy(asc(actions.createdAt), asc(actions.id));
  return rows.map((row) => ({
    text: row.text,
    ownerId: row.ownerId,
    createdAt: row.createdAt,
    done: row.done,
    type: row.type !== null && isActionType(row.type) ? row.type : null,
    ticketUrl: row.ticketUrl,
    createdBy: row.createdBy,
  }));
}
