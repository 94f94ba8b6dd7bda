// The PostgreSQL schema: the same tables, columns and unique keys as the SQLite
// schema (src/db/schema.ts), so that one record moves between the two unchanged
// and both stores keep the same promises. Times are UTC epoch milliseconds in
// bigint columns, read as numbers (they stay far below 2^53).
//
// What differs is what several replicas sharing one database need: incident
// numbers come from an identity sequence (never handed out twice, whichever
// replica asks; "by default", so that a SQLite database moved here keeps its
// numbers), and an outbox job carries a lease (who holds it, until when), so
// a job held by a replica that died is taken over once its lease runs out.

import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/** Epoch milliseconds. */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

export const incidents = pgTable(
  'incidents',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    title: text('title').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    summary: text('summary'),
    impact: text('impact'),
    resolutionSummary: text('resolution_summary'),
    isPrivate: boolean('is_private').notNull().default(false),
    /** Null until Slack has made the channel: such an incident is still being declared. */
    channelId: text('channel_id'),
    channelName: text('channel_name'),
    /** The pinned summary message. */
    summaryTs: text('summary_ts'),
    declaredBy: text('declared_by').notNull(),
    /** Where the declare came from, so its outcome can be told to the declarer. */
    declaredFrom: text('declared_from'),
    /** One declare request makes one incident, however often and to whichever replica it arrives. */
    declareKey: text('declare_key'),
    leadId: text('lead_id'),
    commsId: text('comms_id'),
    scribeId: text('scribe_id'),
    timeZone: text('time_zone').notNull(),
    declaredAt: epochMs('declared_at').notNull(),
    resolvedAt: epochMs('resolved_at'),
    impactStartedAt: epochMs('impact_started_at'),
    detectedAt: epochMs('detected_at'),
    identifiedAt: epochMs('identified_at'),
    mitigatedAt: epochMs('mitigated_at'),
    /** The impact is over (`/incident timestamp recovered`). */
    recoveredAt: epochMs('recovered_at'),
    /** When the channel was last nudged for a status update. */
    remindedAt: epochMs('reminded_at'),
    /** When the channel was nudged (once) to name a lead. */
    leadRemindedAt: epochMs('lead_reminded_at'),
  },
  (table) => [
    uniqueIndex('incidents_channel_id').on(table.channelId),
    uniqueIndex('incidents_declare_key').on(table.declareKey),
    index('incidents_status').on(table.status),
  ],
);

/** The incident's own events: declared, status changes, severity, roles, milestones, notes, summary and impact. */
export const incidentEvents = pgTable(
  'incident_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    kind: text('kind').notNull(),
    at: epochMs('at').notNull(),
    actorId: text('actor_id').notNull(),
    /** The event's own fields. */
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (table) => [index('incident_events_incident').on(table.incidentId, table.at)],
);

/** Every message posted in an incident channel. */
export const messages = pgTable(
  'messages',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    channelId: text('channel_id').notNull(),
    ts: text('ts').notNull(),
    threadTs: text('thread_ts'),
    userId: text('user_id'),
    botId: text('bot_id'),
    subtype: text('subtype'),
    text: text('text').notNull(),
    /** For messages without a user (bots, integrations): the name Slack shows. */
    authorName: text('author_name'),
    /** Files shared with the message: name and link. */
    files: jsonb('files').$type<Array<{ name: string; url: string | null }>>(),
    postedAt: epochMs('posted_at').notNull(),
    editedAt: epochMs('edited_at'),
    deletedAt: epochMs('deleted_at'),
  },
  (table) => [
    uniqueIndex('messages_channel_ts').on(table.channelId, table.ts),
    index('messages_incident').on(table.incidentId, table.postedAt),
  ],
);

/**
 * Who reacted with what to which message. Keyed by (channel, ts) rather than
 * by message row, so a reaction that arrives before its message is kept.
 */
export const reactions = pgTable(
  'reactions',
  {
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    addedAt: epochMs('added_at').notNull(),
    /** Slack's time of the latest add or remove applied (its event_ts in epoch µs). */
    changedAt: bigint('changed_at', { mode: 'number' }).notNull().default(0),
    /** Taken back: kept as a row so that an add delivered after its remove stays undone. */
    removed: boolean('removed').notNull().default(false),
  },
  (table) => [primaryKey({ columns: [table.channelId, table.messageTs, table.userId, table.name] })],
);

/** Follow-up actions made with `/incident action`. */
export const actions = pgTable(
  'actions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    text: text('text').notNull(),
    ownerId: text('owner_id'),
    /** prevent, detect, mitigate or process; null until someone says. */
    type: text('type'),
    /** The ticket that tracks it: an http(s) URL. */
    ticketUrl: text('ticket_url'),
    createdBy: text('created_by').notNull(),
    createdAt: epochMs('created_at').notNull(),
    done: boolean('done').notNull().default(false),
  },
  (table) => [index('actions_incident').on(table.incidentId)],
);

/** Event ids already handled: the same delivery reaching two replicas is stored once. */
export const slackEvents = pgTable('slack_events', {
  eventId: text('event_id').primaryKey(),
  receivedAt: epochMs('received_at').notNull(),
});

/** Postmortem drafts posted to Slack, so a draft that shows deleted text can be replaced. */
export const postedDrafts = pgTable(
  'posted_drafts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    fileId: text('file_id').notNull(),
    postedAt: epochMs('posted_at').notNull(),
    /** Set once the file has been deleted from Slack. */
    withdrawnAt: epochMs('withdrawn_at'),
  },
  (table) => [index('posted_drafts_incident').on(table.incidentId)],
);

/**
 * What the bot still has to tell Slack, written in the same transaction as the change
 * it reports. Replicas claim jobs with `FOR UPDATE SKIP LOCKED` and hold them under a
 * lease: a job whose holder died is taken over when `lease_until` has passed.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    kind: text('kind').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: epochMs('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch ms before which the job is not sent; null: at once. */
    notBefore: epochMs('not_before'),
    lastError: text('last_error'),
    /** Set when Slack took it, or when it failed for good. */
    doneAt: epochMs('done_at'),
    failed: boolean('failed').notNull().default(false),
    /** The replica working on it, and until when its claim holds. */
    claimedBy: text('claimed_by'),
    leaseUntil: epochMs('lease_until'),
  },
  (table) => [index('outbox_pending').on(table.doneAt, table.id)],
);

/** What sitrep learned about its workspace, by name: `workspace_url`, from auth.test. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: epochMs('updated_at').notNull(),
});

/** Display names, cached from users.info. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  fetchedAt: epochMs('fetched_at').notNull(),
});
