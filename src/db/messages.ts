// Queries for recorded messages and the reactions that mark them.

import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { categoriesOf, type ReactionMap } from '../domain/reactions.js';
import { slackTsToMs } from '../domain/time.js';
import type { SharedFile, TimelineMessage } from '../domain/timeline.js';
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
  authorName?: string | null;
  files?: SharedFile[] | null;
  postedAt: number;
  editedAt?: number | null;
  deletedAt?: number | null;
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
  const marks = new Map<string, Array<{ name: string; userId: string }>>();
  if (channelIds.length > 0) {
    for (const reaction of db.select().from(reactions).where(inArray(reactions.channelId, channelIds)).all()) {
      const key = `${reaction.channelId}/${reaction.messageTs}`;
      marks.set(key, [...(marks.get(key) ?? []), { name: reaction.name, userId: reaction.userId }]);
    }
  }
  return rows.map((row) => {
    const reacted = marks.get(`${row.channelId}/${row.ts}`) ?? [];
    const deleted = row.deletedAt !== null;
    return {
      ts: row.ts,
      at: row.postedAt,
      userId: row.userId,
      text: deleted ? '' : row.text,
      threadTs: row.threadTs,
      editedAt: row.editedAt,
      deleted,
      categories: categoriesOf(
        reacted.map((reaction) => reaction.name),
        reactionMap,
      ),
      subtype: row.subtype,
      authorName: row.authorName,
      files: deleted ? [] : (row.files ?? []),
      reactions: reacted,
    };
  });
}

/**
 * Replaces a message's text, keeping when it was edited. An edit of a message not
 * seen yet (Slack does not promise order) records the message as edited.
 */
export function editMessage(db: Db, edit: NewMessage & { editedAt: number }): void {
  db.insert(messages)
    .values(edit)
    .onConflictDoUpdate({
      target: [messages.channelId, messages.ts],
      set: { text: edit.text, editedAt: edit.editedAt, files: edit.files ?? null },
      // A deleted message stays deleted, whatever edit arrives late.
      setWhere: isNull(messages.deletedAt),
    })
    .run();
}

/**
 * Removes a message's text for good (people delete pasted secrets); the row stays as a
 * tombstone, so a late delivery of the original cannot bring the text back.
 * Returns whether the message carried a mark, i.e. may have been in a posted draft.
 */
export function deleteMessage(db: Db, removal: { incidentId: number; channelId: string; ts: string; deletedAt: number }): boolean {
  return db.transaction((tx) => {
    tx.insert(messages)
      .values({
        incidentId: removal.incidentId,
        channelId: removal.channelId,
        ts: removal.ts,
        threadTs: null,
        userId: null,
        botId: null,
        subtype: null,
        text: '',
        postedAt: slackTsToMs(removal.ts),
        deletedAt: removal.deletedAt,
      })
      .onConflictDoUpdate({
        target: [messages.channelId, messages.ts],
        set: { text: '', files: null, deletedAt: removal.deletedAt },
      })
      .run();
    const marked = tx
      .select({ name: reactions.name })
      .from(reactions)
      .where(and(eq(reactions.channelId, removal.channelId), eq(reactions.messageTs, removal.ts)))
      .all();
    return marked.length > 0;
  });
}
