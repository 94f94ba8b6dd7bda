// The shape of the events sitrep acts on, checked before Bolt dispatches them.
// Slack sends these shapes and nothing else, but only a request that passed the
// signature check gets here, and a listener (or Bolt itself) that trips over a
// missing channel, a `ts` that is not a Slack ts or text that is not a string
// would answer 500, log an error and have Slack deliver it again and again
// (Slack disables apps that fail too many deliveries). An event that does not
// have the shape is acknowledged (200), logged as a warning, and dropped.
//
// Only the fields sitrep or Bolt read are checked, and only for the event
// types sitrep listens to; other events pass as long as Bolt can route them.

import type { Receiver, ReceiverEvent } from '@slack/bolt';

/** A Slack id: user (U…, W…), bot (B…), channel (C…, G…, D…), team (T…). */
const SLACK_ID = /^[A-Z][A-Z0-9_]{1,60}$/;
/** Slack's ts: epoch seconds, a dot and microseconds (the fraction is optional for event_ts on some events). */
const SLACK_TS = /^\d{1,12}(?:\.\d{1,6})?$/;

/** Message subtypes sitrep records, edits or deletes; other subtypes are ignored by its listener. */
const RECORDED_SUBTYPES = new Set(['bot_message', 'thread_broadcast', 'file_share', 'me_message', 'channel_join']);

type Check = (value: unknown) => boolean;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value);
const isString: Check = (value) => typeof value === 'string';
const isId: Check = (value) => typeof value === 'string' && SLACK_ID.test(value);
const isTs: Check = (value) => typeof value === 'string' && SLACK_TS.test(value);
const arrayOf =
  (check: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(check);
const shaped =
  (fields: Record<string, Check>): Check =>
  (value) =>
    isRecord(value) && Object.entries(fields).every(([key, check]) => check(value[key]));

/** The fields of a message that the recorder reads. */
const MESSAGE_FIELDS: Record<string, Check> = {
  ts: isTs,
  thread_ts: optional(isTs),
  user: optional(isId),
  bot_id: optional(isString),
  username: optional(isString),
  subtype: optional(isString),
  text: optional(isString),
  bot_profile: optional(shaped({ name: optional(isString) })),
  attachments: optional(arrayOf(shaped({ fallback: optional(isString), text: optional(isString), pretext: optional(isString) }))),
  files: optional(
    arrayOf(shaped({ name: optional(isString), title: optional(isString), permalink: optional(isString), url_private: optional(isString) })),
  ),
  edited: optional(shaped({ ts: optional(isTs) })),
};

function messageProblem(event: Record<string, unknown>): string | null {
  if (!isId(event.channel)) return 'a message event without a channel id';
  const subtype = event.subtype;
  if (subtype !== undefined && typeof subtype !== 'string') return 'a message event whose subtype is not a string';
  if (subtype === undefined || RECORDED_SUBTYPES.has(subtype)) {
    return shaped(MESSAGE_FIELDS)(event) ? null : 'a message event with a malformed field (ts, user, text, attachments, files…)';
  }
  if (subtype === 'message_changed') {
    const ok = isTs(event.ts) && optional(isTs)(event.event_ts) && shaped(MESSAGE_FIELDS)(event.message);
    return ok ? null : 'a message_changed event with a malformed ts or message';
  }
  if (subtype === 'message_deleted') {
    return isTs(event.ts) && optional(isTs)(event.deleted_ts) ? null : 'a message_deleted event with a malformed ts';
  }
  return null;
}

function reactionProblem(event: Record<string, unknown>): string | null {
  if (!isId(event.user) || !isString(event.reaction) || !isRecord(event.item) || !isString(event.item.type)) {
    return 'a reaction event without a user, a reaction or an item';
  }
  if (event.item.type === 'message' && (!isId(event.item.channel) || !isTs(event.item.ts))) {
    return 'a reaction to a message without its channel id or ts';
  }
  if (!optional(isTs)(event.event_ts)) return 'a reaction event whose event_ts is not a Slack ts';
  return null;
}

/**
 * Why an Events API body cannot be handled, or null when it can (or is not an
 * event at all: commands and interactions are Bolt's to check).
 */
export function eventShapeProblem(body: unknown): string | null {
  if (!isRecord(body) || body.type !== 'event_callback') return null;
  const event = body.event;
  if (!isRecord(event) || !isString(event.type)) return 'an event_callback without an event';
  if (!optional(isString)(body.event_id)) return 'an event_callback whose event_id is not a string';
  // Bolt itself reads these to route the event, whatever its type.
  const user = event.user;
  if (user !== undefined && !isString(user) && !(isRecord(user) && isString(user.id))) return 'an event whose user is malformed';
  const channel = event.channel;
  if (channel !== undefined && !isString(channel) && !(isRecord(channel) && isString(channel.id))) return 'an event whose channel is malformed';
  if (event.item !== undefined && !isRecord(event.item)) return 'an event whose item is malformed';
  switch (event.type) {
    case 'message':
      return messageProblem(event);
    case 'reaction_added':
    case 'reaction_removed':
      return reactionProblem(event);
    case 'app_home_opened':
      return isId(event.user) && optional(isString)(event.tab) ? null : 'an app_home_opened event without a user id';
    default:
      return null;
  }
}

export interface ShapeCheckOptions {
  logger: { warn(details: object, message: string): void };
}

/**
 * Has `receiver` acknowledge and drop events of a shape sitrep cannot handle,
 * before Bolt dispatches them. Works for any receiver (HTTP or Socket Mode):
 * it wraps the app's `processEvent` when the app hands itself to the receiver.
 */
export function dropMalformedEvents<R extends Receiver>(receiver: R, options: ShapeCheckOptions): R {
  const init = receiver.init.bind(receiver);
  receiver.init = (app) => {
    const processEvent = app.processEvent.bind(app);
    app.processEvent = async (event: ReceiverEvent): Promise<void> => {
      const problem = eventShapeProblem(event.body);
      if (problem === null) return processEvent(event);
      const body = event.body as { event_id?: unknown; event?: { type?: unknown } };
      options.logger.warn(
        { problem, eventId: typeof body.event_id === 'string' ? body.event_id.slice(0, 40) : undefined, eventType: String(body.event?.type).slice(0, 40) },
        'ignored an event of a shape Slack does not send',
      );
      await event.ack();
    };
    init(app);
  };
  return receiver;
}
