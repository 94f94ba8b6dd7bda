// Events from incident channels: messages (and their edits and deletes) and
// reactions. Each is committed before Bolt answers Slack (through the request's
// commit: listeners/inbound.ts); events from other channels are answered and ignored.

import type { App, Context, Logger } from '@slack/bolt';
import type { ReactionAddedEvent, ReactionRemovedEvent } from '@slack/types';
import type { Commit } from '../../services/inbound.js';
import { mentionedUserIds, wellFormed } from '../../domain/mrkdwn.js';
import { slackTsToMicros, slackTsToMs } from '../../domain/time.js';
import type { SlackContext } from '../../services/context.js';
import { commitOf } from '../inbound.js';
import { RECORDED_SUBTYPES, type MessageEvent, type SlackMessage } from '../payloads.js';
import { rememberPeople } from '../../courtesies/names.js';
import {
  recordDelete,
  recordEdit,
  recordIncomingMessage,
  recordReaction,
  type IncomingMessage,
} from '../../services/record.js';

/** Slack puts this in place of a deleted thread parent that still has replies. */
const TOMBSTONE = 'tombstone';

/**
 * Whether a `message_changed` is someone editing, rather than Slack adding an unfurl,
 * re-rendering an app's card or updating a thread's reply count: those carry no
 * `edited`, or carry the old one unchanged along with the same text.
 */
function isEdit(changed: SlackMessage, previous: Partial<SlackMessage> | undefined): boolean {
  if (!changed.edited) return false;
  if (!previous) return true;
  return previous.text !== changed.text || previous.edited?.ts !== changed.edited.ts;
}

/** Integrations (alerting tools) often say everything in attachments and nothing in `text`. */
function textOf(message: SlackMessage): string {
  if (message.text) return wellFormed(message.text);
  return wellFormed(
    (message.attachments ?? [])
      .map((attachment) => attachment.fallback ?? attachment.text ?? attachment.pretext ?? '')
      .filter(Boolean)
      .join('\n'),
  );
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

/**
 * One listener for the three kinds: Bolt runs every listener's matchers (a copy of
 * its middleware chain, a call and an argument object each) for every event, so three
 * listeners here cost each message two more such chains.
 */
const RECORDED_EVENTS = /^(?:message|reaction_added|reaction_removed)$/;

export function registerEvents(app: App, ctx: SlackContext): void {
  app.event(RECORDED_EVENTS, async ({ event, context, logger }) => {
    if (event.type === 'reaction_added' || event.type === 'reaction_removed') {
      await onReaction(ctx, commitOf(context), event, event.type === 'reaction_added' ? 'added' : 'removed');
    } else if (event.type === 'message') {
      await onMessage(ctx, commitOf(context), event as unknown as MessageEvent, context, logger);
    }
  });
}

async function onMessage(ctx: SlackContext, commit: Commit, message: MessageEvent, context: Context, logger: Logger): Promise<void> {
  // sitrep's own posts come back too: its chat.update calls as message_changed with no
  // top-level user, its withdrawn drafts as message_deleted. None of them is recorded.
  const isOwn = (posted: Partial<SlackMessage> | undefined): boolean =>
    posted !== undefined &&
    ((posted.bot_id !== undefined && posted.bot_id === context.botId) || (posted.user !== undefined && posted.user === context.botUserId));
  const remove = (ts: string, at: string) =>
    commit((tx) => recordDelete(tx, { channelId: message.channel, ts, deletedAt: slackTsToMs(at) }));

  if (message.subtype === 'message_changed') {
    const changed = message.message;
    if (!changed?.ts || isOwn(changed)) return;
    if (changed.subtype === TOMBSTONE) {
      await remove(changed.ts, message.event_ts ?? message.ts);
    } else if (isEdit(changed, message.previous_message)) {
      const editTs = changed.edited?.ts ?? message.event_ts ?? message.ts;
      await commit((tx) => recordEdit(tx, incoming(message.channel, changed), slackTsToMs(editTs)));
    } else {
      // Not an edit; but if the message itself has not arrived yet, this is its first sight.
      const record = incoming(message.channel, changed);
      if (RECORDED_SUBTYPES.has(changed.subtype)) await commit((tx) => recordIncomingMessage(tx, record));
    }
  } else if (message.subtype === 'message_deleted' && message.deleted_ts) {
    if (isOwn(message.previous_message)) return;
    await remove(message.deleted_ts, message.event_ts ?? message.ts);
  } else if (RECORDED_SUBTYPES.has(message.subtype) && !message.hidden && !message.message) {
    const record = incoming(message.channel, message);
    const outcome = await commit((tx) => recordIncomingMessage(tx, record));
    logger.debug(`message ${message.channel}/${message.ts}: ${outcome}`);
    if (outcome === 'recorded') rememberPeople(ctx, [record.userId, ...mentionedUserIds(record.text)]);
  }
}

async function onReaction(ctx: SlackContext, commit: Commit, event: ReactionAddedEvent | ReactionRemovedEvent, change: 'added' | 'removed'): Promise<void> {
  if (event.item.type !== 'message') return;
  // Slack's own time of the change orders a person's add and remove; the network may not.
  const order = event.event_ts ? slackTsToMicros(event.event_ts) : ctx.now() * 1000;
  const reaction = { channelId: event.item.channel, messageTs: event.item.ts, userId: event.user, name: event.reaction, at: Math.floor(order / 1000), order };
  const recorded = await commit((tx) => recordReaction(tx, reaction, change));
  if (recorded && change === 'added') rememberPeople(ctx, [event.user]);
}
