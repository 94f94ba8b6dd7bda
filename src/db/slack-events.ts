// Slack event ids already handled.

import { eq, lt } from 'drizzle-orm';
import type { Db } from './connection.js';
import { slackEvents } from './schema.js';

export function isEventHandled(db: Db, eventId: string): boolean {
  return db.select({ eventId: slackEvents.eventId }).from(slackEvents).where(eq(slackEvents.eventId, eventId)).get() !== undefined;
}

export function markEventHandled(db: Db, eventId: string, at: number): void {
  db.insert(slackEvents).values({ eventId, receivedAt: at }).onConflictDoNothing().run();
}

/** Slack stops re-delivering after about an hour; older ids need not be kept. */
export function forgetEventsBefore(db: Db, before: number): void {
  db.delete(slackEvents).where(lt(slackEvents.receivedAt, before)).run();
}
