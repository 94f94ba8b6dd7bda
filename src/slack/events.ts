// Events from incident channels: messages (and their edits and deletes) and
// reactions. Each is committed before Bolt answers Slack; events from other
// channels are answered and ignored; an event id seen before is skipped.

import type { App } from '@slack/bolt';
import { forgetEventsBefore, isEventHandled, markEventHandled } from '../db/slack-events.js';
import { mentionedUserIds } from '../domain/mrkdwn.js';
import { slackTsToMs } from '../domain/time.js';
import type { ServiceContext } from '../services/context.js';
import { rememberPeople } from '../services/postmortem.js';
import {
  recordDelete,
  recordEdit,
  recordIncomingMessage,
  recordReaction,
  type IncomingMessage,
} from '../services/record.js';

/** Message subtypes that carry something someone said, or (a join) that someone took part. */
const RECORDED = new Set([undefined, 'bot_message', 'thread_broadcast', 'file_share', 'me_message', 'channel_join']);

/** Slack re-delivers for about an hour; ids are kept for a day. */
const EVENT_ID_RETENTION_MS = 24 * 60 * 60 * 1000;

interface SlackFile {
  name?: string;
  title?: string;
  permalink?: string;
  url_private?: string;
}

interface SlackMessage {
  subtype?: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  bot_profile?: { name?: string };
  text?: string;
  attachments?: Array<{ fallback?: string; pretext?: string; text?: string }>;
  files?: SlackFile[];
  edited?: { ts?: string };
}

interface SlackMessageEvent extends SlackMessage {
  channel: string;
  event_ts?: string;
  deleted_ts?: string;
  message?: SlackMessage;
}

/** Integrations (alerting tools) often say everything in attachments and nothing in `text`. */
function textOf(message: SlackMessage): string {
  if (message.text) return message.text;
  return (message.attachments ?? [])
    .map((attachment) => attachment.fallback ?? attachment.text ?? attachment.pretext ?? '')
    .filter(Boolean)
    .join('\n');
}

function incoming(channelId: string, message: SlackMessage): IncomingMessage {
  return {
    channelId,
    ts: message.ts,
    threadTs: message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : null,
    userId: message.user ?? null,
    botId: message.bot_id ?? null,
    subtype: message.subtype ?? null,
    text: textOf(message),
    authorName: message.user ? null : (message.bot_profile?.name ?? message.username ?? null),
    files: (message.files ?? []).map((file) => ({
      name: file.name ?? file.title ?? 'file',
      url: file.permalink ?? file.url_private ?? null,
    })),
  };
}

/** Old event ids are cleared every this many events, so the table stays small without a timer. */
const CLEANUP_EVERY = 1000;

export function registerEvents(app: App, ctx: ServiceContext): void {
  let handledSinceCleanup = 0;
  app.use(async ({ body, next }) => {
    const eventId = (body as { type?: string; event_id?: string }).type === 'event_callback' ? (body as { event_id?: string }).event_id : undefined;
    if (eventId && isEventHandled(ctx.db, eventId)) return;
    await next();
    // Marked only after the listener's writes committed: a failure is retried by Slack, not skipped.
    if (eventId) {
      markEventHandled(ctx.db, eventId, ctx.now());
      handledSinceCleanup += 1;
      if (handledSinceCleanup >= CLEANUP_EVERY) {
        handledSinceCleanup = 0;
        forgetEventsBefore(ctx.db, ctx.now() - EVENT_ID_RETENTION_MS);
      }
    }
  });

  app.event('message', async ({ event, logger }) => {
    const message = event as unknown as SlackMessageEvent;
    if (RECORDED.has(message.subtype)) {
      const record = incoming(message.channel, message);
      const outcome = recordIncomingMessage(ctx, record);
      logger.debug(`message ${message.channel}/${message.ts}: ${outcome}`);
      if (outcome === 'recorded') rememberPeople(ctx, [record.userId, ...mentionedUserIds(record.text)]);
    } else if (message.subtype === 'message_changed' && message.message?.ts) {
      const editTs = message.message.edited?.ts ?? message.event_ts ?? message.ts;
      recordEdit(ctx, incoming(message.channel, message.message), slackTsToMs(editTs));
    } else if (message.subtype === 'message_deleted' && message.deleted_ts) {
      recordDelete(ctx, { channelId: message.channel, ts: message.deleted_ts, deletedAt: slackTsToMs(message.ts) });
    }
  });

  for (const change of ['added', 'removed'] as const) {
    app.event(`reaction_${change}`, async ({ event }) => {
      if (event.item.type !== 'message') return;
      const recorded = recordReaction(
        ctx,
        { channelId: event.item.channel, messageTs: event.item.ts, userId: event.user, name: event.reaction },
        change,
      );
      if (recorded && change === 'added') rememberPeople(ctx, [event.user]);
    });
  }
}
