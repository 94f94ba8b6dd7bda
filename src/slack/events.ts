// Events from incident channels: messages, edits, deletes and reactions.
// Each is committed before Bolt answers Slack; events from other channels
// are answered and ignored.

import type { App } from '@slack/bolt';
import { mentionedUserIds } from '../domain/mrkdwn.js';
import { slackTsToMs } from '../domain/time.js';
import { rememberPeople } from '../services/postmortem.js';
import type { ServiceContext } from '../services/context.js';
import { recordDelete, recordEdit, recordIncomingMessage, recordReaction } from '../services/record.js';

/** Message subtypes that carry something someone said. */
const SPOKEN = new Set([undefined, 'bot_message', 'thread_broadcast', 'file_share', 'me_message']);

interface LooseMessage {
  subtype?: string;
  channel: string;
  ts: string;
  event_ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  deleted_ts?: string;
  message?: { ts?: string; text?: string; edited?: { ts?: string } };
}

export function registerEvents(app: App, ctx: ServiceContext): void {
  app.event('message', async ({ event, logger }) => {
    const message = event as unknown as LooseMessage;
    if (SPOKEN.has(message.subtype)) {
      const outcome = recordIncomingMessage(ctx, {
        channelId: message.channel,
        ts: message.ts,
        threadTs: message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : null,
        userId: message.user ?? null,
        botId: message.bot_id ?? null,
        subtype: message.subtype ?? null,
        text: message.text ?? '',
      });
      logger.debug(`message ${message.channel}/${message.ts}: ${outcome}`);
      if (outcome === 'recorded') rememberPeople(ctx, [message.user, ...mentionedUserIds(message.text ?? '')]);
    } else if (message.subtype === 'message_changed' && message.message?.ts) {
      const editTs = message.message.edited?.ts ?? message.event_ts ?? message.ts;
      recordEdit(ctx, {
        channelId: message.channel,
        ts: message.message.ts,
        text: message.message.text ?? '',
        editedAt: slackTsToMs(editTs),
      });
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
