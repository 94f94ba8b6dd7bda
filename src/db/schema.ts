// The SQLite schema. Times are UTC epoch milliseconds; a Slack message keeps
// its `ts` string as its identity within its channel.

import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const incidents = sqliteTable(
  'incidents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    title: text('title').notNull(),
    severity: text('severity').notNull(),
    status: text('status').notNull(),
    summary: text('summary'),
    impact: text('impact'),
    resolutionSummary: text('resolution_summary'),
    isPrivate: integer('is_private', { mode: 'boolean' }).notNull().default(false),
    /** Null until Slack has made the channel: such an incident is still being declared. */
    channelId: text('channel_id'),
    channelName: text('channel_name'),
    /** The pinned summary message. */
    summaryTs: text('summary_ts'),
    declaredBy: text('declared_by').notNull(),
    /** Where the declare came from, so its outcome can be told to the declarer. */
    declaredFrom: text('declared_from'),
    /** One declare request makes one incident, however often it arrives. */
    declareKey: text('declare_key'),
    leadId: text('lead_id'),
    commsId: text('comms_id'),
    scribeId: text('scribe_id'),
    timeZone: text('time_zone').notNull(),
    declaredAt: integer('declared_at').notNull(),
    resolvedAt: integer('resolved_at'),
    impactStartedAt: integer('impact_started_at'),
    detectedAt: integer('detected_at'),
    identifiedAt: integer('identified_at'),
    mitigatedAt: integer('mitigated_at'),
    /** The impact is over (`/incident timestamp recovered`). */
    recoveredAt: integer('recovered_at'),
    /** When the channel was last nudged for a status update. */
    remindedAt: integer('reminded_at'),
    /** When the channel was nudged (once) to name a lead. */
    leadRemindedAt: integer('lead_reminded_at'),
  },
  (table) => [
    uniqueIndex('incidents_channel_id').on(table.channelId),
    uniqueIndex('incidents_declare_key').on(table.declareKey),
    index('incidents_status').on(table.status),
  ],
);

/** The incident's own events: declared, status changes, severity, roles, milestones, notes, summary and impact. */
export const incidentEvents = sqliteTable(
  'incident_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    kind: text('kind').notNull(),
    at: integer('at').notNull(),
    actorId: text('actor_id').notNull(),
    /** The event's own fields, as JSON. */
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
  },
  (table) => [index('incident_events_incident').on(table.incidentId, table.at)],
);

/** Every message posted in an incident channel. */
export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
    files: text('files', { mode: 'json' }).$type<Array<{ name: string; url: string | null }>>(),
    postedAt: integer('posted_at').notNull(),
    editedAt: integer('edited_at'),
    deletedAt: integer('deleted_at'),
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
export const reactions = sqliteTable(
  'reactions',
  {
    channelId: text('channel_id').notNull(),
    messageTs: text('message_ts').notNull(),
    userId: text('user_id').notNull(),
    name: text('name').notNull(),
    addedAt: integer('added_at').notNull(),
    /**
     * Slack's time of the latest add or remove applied (its event_ts in epoch µs): events
     * arrive in the network's order, so an older one never undoes a newer one.
     */
    changedAt: integer('changed_at').notNull().default(0),
    /** Taken back: kept as a row so that an add delivered after its remove stays undone. */
    removed: integer('removed', { mode: 'boolean' }).notNull().default(false),
  },
  (table) => [primaryKey({ columns: [table.channelId, table.messageTs, table.userId, table.name] })],
);

/** Follow-up actions made with `/incident action`. */
export const actions = sqliteTable(
  'actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    text: text('text').notNull(),
    ownerId: text('owner_id'),
    /** prevent, detect, mitigate or process (domain/timeline.ts ACTION_TYPES); null until someone says. */
    type: text('type'),
    /** The ticket that tracks it: an http(s) URL. */
    ticketUrl: text('ticket_url'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    done: integer('done', { mode: 'boolean' }).notNull().default(false),
  },
  (table) => [index('actions_incident').on(table.incidentId)],
);

/**
 * Event ids already handled. Unique keys already make every write idempotent;
 * this spares the work, and keeps a late re-delivery from undoing a later change.
 */
export const slackEvents = sqliteTable('slack_events', {
  eventId: text('event_id').primaryKey(),
  receivedAt: integer('received_at').notNull(),
});

/** Postmortem drafts posted to Slack, so a draft that shows deleted text can be replaced. */
export const postedDrafts = sqliteTable(
  'posted_drafts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    fileId: text('file_id').notNull(),
    postedAt: integer('posted_at').notNull(),
    /** Set once the file has been deleted from Slack. */
    withdrawnAt: integer('withdrawn_at'),
  },
  (table) => [index('posted_drafts_incident').on(table.incidentId)],
);

/**
 * What the bot still has to tell Slack: written in the same transaction as the
 * change it reports, sent by the outbox worker, kept until Slack took it. A
 * restart, an outage or a rate limit delays a post; nothing loses it.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: integer('incident_id')
      .notNull()
      .references(() => incidents.id),
    kind: text('kind').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** Epoch ms before which the job is not sent (a draft replacement waiting its turn); null: at once. */
    notBefore: integer('not_before'),
    lastError: text('last_error'),
    /** Set when Slack took it, or when it failed for good. */
    doneAt: integer('done_at'),
    failed: integer('failed', { mode: 'boolean' }).notNull().default(false),
  },
  (table) => [index('outbox_pending').on(table.doneAt, table.id)],
);

/**
 * What sitrep learned about its workspace, by name: `workspace_url`, from auth.test, so
 * that the draft links to messages even when `npm run postmortem` makes it offline.
 */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Display names, cached from users.info. */
export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  fetchedAt: integer('fetched_at').notNull(),
});
