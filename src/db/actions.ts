// Queries for follow-up actions.

import { asc, eq } from 'drizzle-orm';
import { isActionType, type ActionType, type FollowUpAction } from '../domain/timeline.js';
import type { Db } from './connection.js';
import { actions } from './schema.js';

/** A follow-up action as it is added. */
export interface NewAction {
  incidentId: number;
  text: string;
  ownerId: string | null;
  type: ActionType | null;
  ticketUrl: string | null;
  createdBy: string;
  createdAt: number;
}

/** A stored action as the draft reads it; the PostgreSQL twin's rows have the same columns. */
function toAction(row: typeof actions.$inferSelect): FollowUpAction {
  return {
    text: row.text,
    ownerId: row.ownerId,
    createdAt: row.createdAt,
    done: row.done,
    type: row.type !== null && isActionType(row.type) ? row.type : null,
    ticketUrl: row.ticketUrl,
    createdBy: row.createdBy,
  };
}

/** The row mapping, shared with pg/actions.ts. An object: every function this module exports is a query (store.ts). */
export const actionRows = { toAction } as const;

export function addAction(db: Db, action: NewAction): void {
  db.insert(actions).values(action).run();
}

export function listActions(db: Db, incidentId: number): FollowUpAction[] {
  return db
    .select()
    .from(actions)
    .where(eq(actions.incidentId, incidentId))
    .orderBy(asc(actions.createdAt), asc(actions.id))
    .all()
    .map(toAction);
}
