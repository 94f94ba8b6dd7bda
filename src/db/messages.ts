// Queries for recorded messages and the reactions that mark them.

import type BetterSqlite3 from 'better-sqlite3';
import { and, asc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { slackTsToMs } from '../domain/time.js';
import type { RecordedMessage, SharedFile } from '../domain/timeline.js';
import type { Db } from './connection.js';
import { byPosition, perConnection } from './prepared.js';
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

const p = sql.placeholder;

/** The order recordMessage passes a message's values in. */
const MESSAGE_COLUMNS = [
  'incidentId',
  'channelId',
  'ts',
  'threadTs',
  'userId',
  'botId',
  'subtype',
  'text',
  'authorName',
  'files',
  'postedAt',
  'editedAt',
  'deletedAt',
] as const;

// The writes every message and reaction event makes, prepared once (see prepared.ts);
// the message insert, the one every event makes, with its values by position.
const statements = perConnection((db) => ({
  insertMessage: byPosition(
    db,
    db
      .insert(messages)
      .values({
        incidentId: p('incidentId'),
        channelId: p('channelId'),
        ts: p('ts'),
        threadTs: p('threadTs'),
        userId: p('userId'),
        botId: p('botId'),
        subtype: p('subtype'),
        text: p('text'),
        authorName: p('authorName'),
        // Bound as given (the caller encodes the JSON): drizzle would store a null as the text 'null'.
        files: sql`${p('files')}`,
        postedAt: p('postedAt'),
        editedAt: p('editedAt'),
        deletedAt: p('deletedAt'),
      })
      .onConflictDoNothing(),
    MESSAGE_COLUMNS,
  ),
  // A person's add and remove of one emoji on one message, in Slack's order: each applies
  // only over an older one, whatever order the network delivered them in.
  addReaction: db
    .insert(reactions)
    .values({ channelId: p('channelId'), messageTs: p('messageTs'), userId: p('userId'), name: p('name'), addedAt: p('at'), changedAt: p('order'), removed: false })
    .onConflictDoUpdate({
      target: [reactions.channelId, reactions.messageTs, reactions.userId, reactions.name],
      set: { removed: false, addedAt: sql`excluded.added_at`, changedAt: sql`excluded.changed_at` },
      setWhere: sql`${reactions.changedAt} < excluded.changed_at`,
    })
    .prepare(),
  removeReaction: db
    .insert(reactions)
    .values({ channelId: p('channelId'), messageTs: p('messageTs'), userId: p('userId'), name: p('name'), addedAt: p('at'), changedAt: p('order'), removed: true })
    .onConflictDoUpdate({
      target: [reactions.channelId, reactions.messageTs, reactions.userId, reactions.name],
      set: { removed: true, changedAt: sql`excluded.changed_at` },
      setWhere: sql`${reactions.changedAt} < excluded.changed_at`,
    })
    .prepare(),
}));

/** Stores a message once: a repeated delivery of the same (channel, ts) changes nothing. */
export function recordMessage(db: Db, message: NewMessage): boolean {
  const result = statements(db).insertMessage.run(
    message.incidentId,
    message.channelId,
    message.ts,
    message.threadTs,
    message.userId,
    message.botId,
    message.subtype,
    message.text,
    message.authorName ?? null,
    message.files == null ? null : JSON.stringify(message.files),
    message.postedAt,
    message.editedAt ?? null,
    message.deletedAt ?? null,
  );
  return result.changes > 0;
}

export type ReactionChange = {
  channelId: string;
  messageTs: string;
  userId: string;
  name: string;
  /** When it was added (epoch ms), kept for the record. */
  at: number;
  /** Slack's time of the change, its event_ts in epoch µs: what orders an add and a remove. */
  order: number;
};

export function addReaction(db: Db, reaction: ReactionChange): void {
  statements(db).addReaction.run(reaction);
}

export function removeReaction(db: Db, reaction: ReactionChange): void {
  statements(db).removeReaction.run(reaction);
}

/** No files, no reactions: most messages. Read-only, so one empty list serves them all. */
const NONE: readonly never[] = Object.freeze([]);

/** A message row as listRecordedMessages reads it: the columns in the order it selects them. */
type TimelineRow = [
  channelId: string,
  ts: string,
  postedAt: number,
  userId: string | null,
  text: string,
  threadTs: string | null,
  editedAt: number | null,
  deletedAt: number | null,
  subtype: string | null,
  authorName: string | null,
  files: string | null,
];

/** Every message of an incident, with who reacted with what (the marks are the domain's to derive). */
export function listRecordedMessages(db: Db, incidentId: number): RecordedMessage[] {
  // Read as plain arrays, one at a time, and mapped here: a draft of a 100,000-message
  // incident reads every row, and drizzle's generic mapping of a result array cost
  // more time and memory than the query itself. drizzle still writes the SQL.
  const query = db
    .select({
      channelId: messages.channelId,
      ts: messages.ts,
      postedAt: messages.postedAt,
      userId: messages.userId,
      text: messages.text,
      threadTs: messages.threadTs,
      editedAt: messages.editedAt,
      deletedAt: messages.deletedAt,
      subtype: messages.subtype,
      authorName: messages.authorName,
      files: messages.files,
    })
    .from(messages)
    .where(eq(messages.incidentId, incidentId))
    // By time only: the index gives that order, where `, ts` made SQLite sort every row
    // again. Messages in the same millisecond are put in ts order below.
    .orderBy(asc(messages.postedAt))
    .toSQL();
  const channelIds = db
    .selectDistinct({ channelId: messages.channelId })
    .from(messages)
    .where(eq(messages.incidentId, incidentId))
    .all()
    .map((row) => row.channelId);
  const marks = new Map<string, Array<{ name: string; userId: string }>>();
  if (channelIds.length > 0) {
    const current = db
      .select()
      .from(reactions)
      .where(and(inArray(reactions.channelId, channelIds), eq(reactions.removed, false)))
      .all();
    for (const reaction of current) {
      const key = `${reaction.channelId}/${reaction.messageTs}`;
      const mark = { name: reaction.name, userId: reaction.userId };
      const list = marks.get(key);
      if (list) list.push(mark);
      else marks.set(key, [mark]);
    }
  }
  const sqlite = (db as Db & { $client: BetterSqlite3.Database }).$client;
  const rows = sqlite.prepare(query.sql).raw(true).iterate(...query.params) as IterableIterator<TimelineRow>;
  // A big incident repeats a few people and subtypes thousands of times: one string each.
  const strings = new Map<string, string>();
  const intern = (value: string | null): string | null => {
    if (value === null) return null;
    const known = strings.get(value);
    if (known !== undefined) return known;
    strings.set(value, value);
    return value;
  };
  const timeline: RecordedMessage[] = [];
  for (const [channelId, ts, postedAt, userId, text, threadTs, editedAt, deletedAt, subtype, authorName, files] of rows) {
    const reacted = marks.get(`${channelId}/${ts}`);
    const deleted = deletedAt !== null;
    timeline.push({
      ts,
      at: postedAt,
      userId: intern(userId),
      text: deleted ? '' : text,
      threadTs,
      editedAt,
      deleted,
      subtype: intern(subtype),
      authorName: intern(authorName),
      // The column is JSON text (drizzle's json mode decodes it the same way).
      files: deleted || files === null ? NONE : ((JSON.parse(files) as SharedFile[] | null) ?? NONE),
      reactions: reacted ?? NONE,
    });
  }
  sortSameMillisecondByTs(timeline);
  return timeline;
}

/** Within each run of messages at the same millisecond, orders by ts as SQLite compares text (ASCII here). */
function sortSameMillisecondByTs(timeline: RecordedMessage[]): void {
  let start = 0;
  for (let i = 1; i <= timeline.length; i++) {
    if (i < timeline.length && timeline[i]?.at === timeline[start]?.at) continue;
    if (i - start > 1) {
      const run = timeline.slice(start, i).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      timeline.splice(start, run.length, ...run);
    }
    start = i;
  }
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
      // A deleted message stays deleted, whatever edit arrives late; and an older edit
      // delivered after a newer one never brings back text someone replaced.
      setWhere: and(isNull(messages.deletedAt), or(isNull(messages.editedAt), lt(messages.editedAt, edit.editedAt))),
    })
    .run();
}

/**
 * Removes a message's text for good (people delete pasted secrets); the row stays as a
 * tombstone, so a late delivery of the original cannot bring the text back.
 * Returns whether recorded text was removed, i.e. whether a posted draft may have quoted it
 * (a delete of something never recorded, such as sitrep's own post, changes no draft).
 */
export function deleteMessage(db: Db, removal: { incidentId: number; channelId: string; ts: string; deletedAt: number }): boolean {
  const [before] = db
    .select({ deletedAt: messages.deletedAt })
    .from(messages)
    .where(and(eq(messages.channelId, removal.channelId), eq(messages.ts, removal.ts)))
    .all();
  db.insert(messages)
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
  return before !== undefined && before.deletedAt === null;
}
