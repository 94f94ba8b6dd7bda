// The Events API payloads sitrep acts on, declared once: each zod schema both
// checks a delivery (http/event-shape.ts drops a signed event of a shape Slack
// never sends, before Bolt dispatches it) and gives the listener its type.
// Only the fields sitrep or Bolt read are declared; the rest pass untouched.

import { z } from 'zod';

/** A Slack id: user (U…, W…), bot (B…), channel (C…, G…, D…), team (T…). */
const slackId = z.string().regex(/^[A-Z][A-Z0-9_]{1,60}$/);
/** Slack's ts: epoch seconds, a dot and microseconds (the fraction is optional for event_ts on some events). */
const slackTs = z.string().regex(/^\d{1,12}(?:\.\d{1,6})?$/);
const text = z.string().optional();

/** Message subtypes that carry something someone said, or (a join) that someone took part. */
export const RECORDED_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'bot_message',
  'thread_broadcast',
  'file_share',
  'me_message',
  'channel_join',
]);

/** The fields of a message that the recorder reads. */
export const slackMessage = z.object({
  subtype: z.string().optional(),
  ts: slackTs,
  thread_ts: slackTs.optional(),
  user: slackId.optional(),
  bot_id: z.string().optional(),
  username: text,
  bot_profile: z.object({ name: text }).optional(),
  text,
  attachments: z.array(z.object({ fallback: text, pretext: text, text })).optional(),
  files: z.array(z.object({ name: text, title: text, permalink: text, url_private: text })).optional(),
  edited: z.object({ ts: slackTs.optional(), user: text }).optional(),
});
export type SlackMessage = z.infer<typeof slackMessage>;

/** A `message` event: a new message, or Slack's change, delete or tombstone of one. */
export const messageEvent = slackMessage.extend({
  channel: slackId,
  event_ts: slackTs.optional(),
  deleted_ts: slackTs.optional(),
  /** Set on Slack's bookkeeping events (changes, deletes, reply counts): never a new message. */
  hidden: z.boolean().optional(),
  message: slackMessage.optional(),
  previous_message: slackMessage.partial().optional(),
});
export type MessageEvent = z.infer<typeof messageEvent>;

const messageChange = messageEvent.extend({ message: slackMessage });

export const reactionEvent = z.object({
  user: slackId,
  reaction: z.string(),
  item: z.union([
    z.object({ type: z.literal('message'), channel: slackId, ts: slackTs }),
    z.object({ type: z.string().refine((type) => type !== 'message') }),
  ]),
  event_ts: slackTs.optional(),
});

export const appHomeOpened = z.object({ user: slackId, tab: z.string().optional() });
export const memberLeftChannel = z.object({ user: slackId, channel: slackId });

/** Which schema a `message` event must meet, by subtype; null for subtypes sitrep ignores. */
export function messageSchemaFor(subtype: unknown): z.ZodType | null {
  if (subtype !== undefined && typeof subtype !== 'string') return messageEvent;
  if (RECORDED_SUBTYPES.has(subtype)) return messageEvent;
  if (subtype === 'message_changed') return messageChange;
  if (subtype === 'message_deleted') return messageEvent;
  return null;
}
