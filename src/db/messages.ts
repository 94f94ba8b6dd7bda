// Queries for recorded messages and the reactions that mark them.

import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { categoriesOf, type ReactionMap } from '../domain/reactions.js';
import type { TimelineMessage } from '../domain/timeline.js';
import type { Db } from './connection.js';
import { messages, reactions } from './schema.js';

export interface NewMessage {
  incidentId: number;
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string | null;
  botId: string | null;
  subtype: string | null;
  text: string;
  postedAt: number;
}

/** Stores a message once: a repeated delivery of the same (channel, ts) changes nothing. */
export function recordMessage(db: Db, message: NewMessage): boolean {
  const result = db.insert(messages).values(message).onConflictDoNothing().run();
  return result.changes > 0;
}

export function addReaction(
  db: Db,
  reaction: { channelId: string; messageTs: string; userId: string; name: string; addedAt: number },
): void {
  db.insert(reactions).values(reaction).onConflictDoNothing().run();
}

export function removeReaction(
  db: Db,
  reaction: { channelId: string; messageTs: string; userId: string; name: string },
): void {
  db.delete(reactions)
    .where(
      and(
        eq(reactions.channelId, reaction.channelId),
        eq(reactions.messageTs, reaction.messageTs),
        eq(reactions.userId, reaction.userId),
        eq(reactions.name, reaction.name),
      ),
    )
    .run();
}

/** Every message of an incident with the categories its current reactions give it. */
export function listTimelineMessages(db: Db, incidentId: number, reactionMap: ReactionMap): TimelineMessage[] {
  const rows = db
    .select()
    .from(messages)
    .where(eq(messages.incidentId, incidentId))
    .orderBy(asc(messages.postedAt), asc(messages.ts))
    .all();
  const channelIds = [...new Set(rows.map((row) => row.channelId))];
  const marks = new Map<string, string[]>();
  if (channelIds.length > 0) {
    for (const reaction of db.select().from(reactions).where(inArray(reactions.channelId, channelIds)).all()) {
      const key = `${reaction.channelId}/${reaction.messageTs}`;
      marks.set(key, [...(marks.get(key) ?? []), reaction.name]);
    }
  }
  return rows.map((row) => ({
    ts: row.ts,
    at: row.postedAt,
    userId: row.userId,
    text: row.deletedAt === null ? row.text : '',
    threadTs: row.threadTs,
    editedAt: row.editedAt,
    deleted: row.deletedAt !== null,
    categories: categoriesOf(marks.get(`${row.channelId}/${row.ts}`) ?? [], reactionMap),
  }));
}

/** Replaces a message's text, keeping when it was edited. */
export function editMessage(db: Db, edit: { channelId: string; ts: string; text: string; editedAt: number }): boolean {
  const result = db
    .update(messages)
    .set({ text: edit.text, editedAt: edit.editedAt })
    .where(and(eq(messages.channelId, edit.channelId), eq(messages.ts, edit.ts), isNull(messages.deletedAt)))
    .run();
  return result.changes > 0;
}

/** Removes a message's text for good (people delete pasted secrets); the row stays as a tombstone. */
export function deleteMessage(db: Db, removal: { channelId: string; ts: string; deletedAt: number }): boolean {
  const result = db
    .update(messages)
    .set({ text: '', deletedAt: removal.deletedAt })
    .where(and(eq(messages.channelId, removal.channelId), eq(messages.ts, removal.ts)))
    .run();
  return result.changes > 0;
}
