// Slack event ids already handled.

import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from './connection.js';
import { byPosition, perConnection } from './prepared.js';
import { slackEvents } from './schema.js';

// Every event runs both: prepared once, values by position (see prepared.ts).
const statements = perConnection((db) => ({
  find: byPosition(
    db,
    db.select({ eventId: slackEvents.eventId }).from(slackEvents).where(eq(slackEvents.eventId, sql.placeholder('eventId'))),
    ['eventId'],
  ).pluck(),
  mark: byPosition(
    db,
    db.insert(slackEvents).values({ eventId: sql.placeholder('eventId'), receivedAt: sql.placeholder('at') }).onConflictDoNothing(),
    ['eventId', 'at'],
  ),
}));

export function isEventHandled(db: Db, eventId: string): boolean {
  return statements(db).find.get(eventId) !== undefined;
}

export function markEventHandled(db: Db, eventId: string, at: number): void {
  statements(db).mark.run(eventId, at);
}

/** Slack stops re-delivering after about an hour; older ids need not be kept. */
export function forgetEventsBefore(db: Db, before: number): void {
  db.delete(slackEvents).where(lt(slackEvents.receivedAt, before)).run();
}
