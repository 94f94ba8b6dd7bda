// Posting what the outbox holds: a message, posted once even when the answer to
// an earlier attempt was lost, and the pinned summary, re-rendered from what is
// stored now.

import type { KnownBlock } from '@slack/types';
import type { ConversationsHistoryResponse } from '@slack/web-api';
import { summaryMessage } from '../messages/blocks.js';
import { findInPages } from './slack-pages.js';
import type { SlackContext } from '../services/context.js';

/** Marks sitrep's own posts, so one whose answer was lost can be found instead of posted twice. */
export const POST_EVENT_TYPE = 'sitrep_post';

/**
 * Posts one queued message. After an attempt whose outcome is unknown, looks for
 * the post in the channel first: Slack keeps the metadata it was sent with.
 */
export async function postOnce(
  ctx: SlackContext,
  post: { channel: string; text: string; blocks?: KnownBlock[]; key: string; since: number; checkFirst: boolean },
): Promise<string | undefined> {
  const { key } = post;
  if (post.checkFirst) {
    // Every page back to when the post was queued: a busy channel has more than one page since.
    const found = await findInPages(
      ctx.slack,
      'conversations.history',
      { channel: post.channel, oldest: String(Math.floor(post.since / 1000) - 60), include_all_metadata: true },
      (page: ConversationsHistoryResponse) =>
        page.messages?.find(
          (message) =>
            message.metadata?.event_type === POST_EVENT_TYPE &&
            (message.metadata.event_payload as Record<string, unknown> | undefined)?.post_id === key,
        ),
    );
    if (found) return found.ts;
  }
  const posted = await ctx.slack.chat.postMessage({
    channel: post.channel,
    text: post.text,
    ...(post.blocks ? { blocks: post.blocks } : {}),
    metadata: { event_type: POST_EVENT_TYPE, event_payload: { post_id: key } },
  });
  return posted.ts;
}

/** Re-renders the pinned summary from what is stored now, so it never shows a stale state. */
export async function refreshSummaryNow(ctx: SlackContext, number: number): Promise<void> {
  const incident = await ctx.db.findIncident(number);
  if (!incident?.channelId || !incident.summaryTs) return;
  await ctx.slack.chat.update({ channel: incident.channelId, ts: incident.summaryTs, ...summaryMessage(incident, ctx.reactions) });
}
