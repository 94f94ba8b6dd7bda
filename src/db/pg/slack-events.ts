// Slack event ids already handled, on PostgreSQL. Two replicas handed the same
// delivery both mark it: the primary key keeps one row, the second insert does nothing.

import { eq, lt } from 'drizzle-orm';
import type { PgRunner } from './connection.js';
import { slackEvents } from './schema.js';

export async function isEventHandled(db: PgRunner, eventId: string): Promise<boolean> {
  const found = await db.select({ eventId: slackEvents.eventId }).from(slackEvents).where(eq(slackEvents.eventId, eventId)).limit(1);
  return found.length > 0;
}

export async function markEventHandled(db: PgRunner, eventId: string, at: number): Promise<void> {
  await db.insert(slackEvents).values({ eventId, receivedAt: at }).onConflictDoNothing();
}

/** Slack stops re-delivering after about an hour; older ids need not be kept. */
export async function forgetEventsBefore(db: PgRunner, before: number): Promise<void> {
  await db.delete(slackEvents).where(lt(slackEvents.receivedAt, before));
}
