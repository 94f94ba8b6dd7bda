// Queries for follow-up actions.

import { asc, eq } from 'drizzle-orm';
import { isActionType, type ActionType, type FollowUpAction } from '../domain/timeline.js';
import type { Db } from './connection.js';
import { actions } from './schema.js';

export function addAction(
  db: Db,
  action: {
    incidentId: number;
    text: string;
    ownerId: string | null;
    type: ActionType | null;
    ticketUrl: string | null;
    createdBy: string;
    createdAt: number;
  },
): void {
  db.insert(actions).values(action).run();
}

export function listActions(db: Db, incidentId: number): FollowUpAction[] {
  return db
    .select()
    .from(actions)
    .where(eq(actions.incidentId, incidentId))
    .orderBy(asc(actions.createdAt), asc(actions.id))
    .all()
    .map((row) => ({
      text: row.text,
      ownerId: row.ownerId,
      createdAt: row.createdAt,
      done: row.done,
      type: row.type !== null && isActionType(row.type) ? row.type : null,
      ticketUrl: row.ticketUrl,
      createdBy: row.createdBy,
    }));
}
