// Queries for recorded messages and the reactions that mark them, on PostgreSQL.
// Two replicas may record the same message or reaction at the same moment: every
// write is one statement on a unique key (INSERT … ON CONFLICT, or a conditional
// UPDATE), which PostgreSQL applies to the row one after the other, so a repeated
// delivery leaves what one delivery leaves.

import { and, asc, eq, getTableColumns, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { slackTsToMs } from '../../domain/time.js';
import type { RecordedMessage, SharedFile } from '../../domain/timeline.js';
import type { NewMessage, ReactionChange } from '../messages.js';
import type { PgRunner } from './connection.js';
import { messages, reactions } from './schema.js';

/** What a recorded message is read with: every column but its keys and the bot's id. */
const { id: _id, incidentId: _incidentId, botId: _botId, ...RECORDED_COLUMNS } = getTableColumns(messages);

/** Stores a message once: a repeated delivery of the same (channel, ts) changes nothing. */
export async function recordMessage(db: PgRunner, message: NewMessage): Promise<boolean> {
  const stored = await db
    .insert(messages)
    .values({ ...message, files: message.files ?? null })
    .onConflictDoNothing()
    .returning({ id: messages.id });
  return stored.length > 0;
}

// A person's add and remove of one emoji on one message, in Slack's order: each applies
// only over an older one, whatever order the network (or two replicas) delivered them in.
const reactionKey = [reactions.channelId, reactions.messageTs, reactions.userId, reactions.name];
const olderOnly = sql`${reactions.changedAt} < excluded.changed_at`;

function reactionRow(reaction: ReactionChange, removed: boolean) {
  const { channelId, messageTs, userId, name, at, order } = reaction;
  return { channelId, messageTs, userId, name, addedAt: at, changedAt: order, removed };
}

export async function addReaction(db: PgRunner, reaction: ReactionChange): Promise<void> {
  await db
    .insert(reactions)
    .values(reactionRow(reaction, false))
    .onConflictDoUpdate({
      target: reactionKey,
      set: { removed: false, addedAt: sql`excluded.added_at`, changedAt: sql`excluded.changed_at` },
      setWhere: olderOnly,
    });
}

export async function removeReaction(db: PgRunner, reaction: ReactionChange): Promise<void> {
  await db
    .insert(reactions)
    .values(reactionRow(reaction, true))
    .onConflictDoUpdate({ target: reactionKey, set: { removed: true, changedAt: sql`excluded.changed_at` }, setWhere: olderOnly });
}

/** No files, no reactions: most messages. Read-only, so one empty list serves them all. */
const NONE: readonly never[] = Object.freeze([]);

/**
 * A file as SQLite gives it back: jsonb keeps an object's keys in its own order
 * (shortest first, so `url` before `name`), where SQLite's JSON text keeps the order
 * written. The export prints the objects as they come, so the keys go back in
 * SharedFile's order (any others after them).
 */
function asWritten(file: SharedFile): SharedFile {
  const ordered: Partial<SharedFile> = {};
  if ('name' in file) ordered.name = file.name;
  if ('url' in file) ordered.url = file.url;
  return Object.assign(ordered, file);
}

/** Every message of an incident, with who reacted with what (the marks are the domain's to derive). */
export async function listRecordedMessages(db: PgRunner, incidentId: number): Promise<RecordedMessage[]> {
  const channels = db.selectDistinct({ channelId: messages.channelId }).from(messages).where(eq(messages.incidentId, incidentId));
  // SQLite reads these through the primary key, so each message's reactions come by
  // user, then name; "C" compares bytes, as SQLite does.
  const current = await db
    .select({ channelId: reactions.channelId, messageTs: reactions.messageTs, name: reactions.name, userId: reactions.userId })
    .from(reactions)
    .where(and(inArray(reactions.channelId, channels), eq(reactions.removed, false)))
    .orderBy(...reactionKey.map((column) => sql`${column} collate "C"`));
  const marks = new Map<string, Array<{ name: string; userId: string }>>();
  for (const { channelId, messageTs, name, userId } of current) {
    const key = `${channelId}/${messageTs}`;
    const list = marks.get(key) ?? [];
    if (list.length === 0) marks.set(key, list);
    list.push({ name, userId });
  }
  // SQLite's order: by time, a millisecond's messages by ts, then as recorded.
  const rows = await db
    .select(RECORDED_COLUMNS)
    .from(messages)
    .where(eq(messages.incidentId, incidentId))
    .orderBy(asc(messages.postedAt), sql`${messages.ts} collate "C"`, asc(messages.id));
  // A big incident repeats a few people and subtypes thousands of times: keep one string each.
  const strings = new Map<string, string>();
  const intern = (value: string | null): string | null => {
    if (value === null) return value;
    const seen = strings.get(value);
    if (seen === undefined) strings.set(value, value);
    return seen ?? value;
  };
  return rows.map((row): RecordedMessage => {
    const deleted = row.deletedAt !== null;
    return {
      ts: row.ts,
      at: row.postedAt,
      userId: intern(row.userId),
      text: deleted ? '' : row.text,
      threadTs: row.threadTs,
      editedAt: row.editedAt,
      deleted,
      subtype: intern(row.subtype),
      authorName: intern(row.authorName),
      files: deleted || row.files === null ? NONE : row.files.map(asWritten),
      reactions: marks.get(`${row.channelId}/${row.ts}`) ?? NONE,
    };
  });
}

/**
 * Replaces a message's text, keeping when it was edited. An edit of a message not
 * seen yet (Slack does not promise order) records the message as edited.
 */
export async function editMessage(db: PgRunner, edit: NewMessage & { editedAt: number }): Promise<void> {
  await db
    .insert(messages)
    .values(edit)
    .onConflictDoUpdate({
      target: [messages.channelId, messages.ts],
      set: { text: edit.text, editedAt: edit.editedAt, files: edit.files ?? null },
      // A deleted message stays deleted, whatever edit arrives late; and an older edit
      // delivered after a newer one never brings back text someone replaced.
      setWhere: and(isNull(messages.deletedAt), or(isNull(messages.editedAt), lt(messages.editedAt, edit.editedAt))),
    });
}

/**
 * Removes a message's text for good (people delete pasted secrets); the row stays as a
 * tombstone, so a late delivery of the original cannot bring the text back.
 * Returns whether recorded text was removed, i.e. whether a posted draft may have quoted it
 * (a delete of something never recorded, such as sitrep's own post, changes no draft).
 *
 * SQLite reads the row, then writes. Here the answer comes from the write itself: the
 * update of a row still holding text (true for one replica only, when two take the same
 * delete), else the tombstone written over nothing or over a deleted row.
 */
export async function deleteMessage(
  db: PgRunner,
  removal: { incidentId: number; channelId: string; ts: string; deletedAt: number },
): Promise<boolean> {
  const { incidentId, channelId, ts, deletedAt } = removal;
  const emptied = { text: '', files: null, deletedAt };
  const same = and(eq(messages.channelId, channelId), eq(messages.ts, ts));
  // Twice at most: the second update finds the text the first one missed.
  for (let attempt = 0; attempt < 2; attempt++) {
    const removed = await db.update(messages).set(emptied).where(and(same, isNull(messages.deletedAt))).returning({ id: messages.id });
    if (removed.length > 0) return true;
    const tombstone = await db
      .insert(messages)
      .values({ incidentId, channelId, ts, threadTs: null, userId: null, botId: null, subtype: null, text: '', postedAt: slackTsToMs(ts), deletedAt })
      .onConflictDoUpdate({ target: [messages.channelId, messages.ts], set: emptied, setWhere: isNotNull(messages.deletedAt) })
      .returning({ id: messages.id });
    if (tombstone.length > 0) return false;
    // Neither: the message was recorded (by another replica) after the update looked,
    // and its text is there. The next update sees it; nothing ever clears deleted_at.
  }
  throw new Error(`deleteMessage: ${channelId}/${ts} neither live nor deleted`);
}
