// Telling people: the incident's channel, its pinned summary, and the
// announcement channel. Notices are queued in the outbox in the same
// transaction as the change they report, then sent by the outbox worker.
// Private incidents are never announced.

import { findIncident, type IncidentRecord } from '../db/incidents.js';
import { enqueue } from '../db/outbox.js';
import type { KnownBlock } from '@slack/types';
import { summaryMessage } from '../messages/blocks.js';
import type { ConversationsHistoryResponse } from '@slack/web-api';
import type { ServiceContext } from './context.js';
import { findInPages } from './slack-pages.js';

/** Marks sitrep's own posts, so one whose answer was lost can be found instead of posted twice. */
export const POST_EVENT_TYPE = 'sitrep_post';

/** Runs a change and the notices it queues in one transaction, then wakes the outbox. */
export function withNotices<T>(ctx: ServiceContext, change: () => T): T {
  const result = ctx.db.transaction(change);
  ctx.outbox.kick();
  return result;
}

export function tellIncident(ctx: ServiceContext, incident: IncidentRecord, text: string): void {
  enqueue(ctx.db, incident.number, { kind: 'post', channel: 'incident', text }, ctx.now());
}

export function announce(ctx: ServiceContext, incident: IncidentRecord, text: string): void {
  if (!ctx.config.announceChannel || incident.isPrivate) return;
  enqueue(ctx.db, incident.number, { kind: 'post', channel: ctx.config.announceChannel, text }, ctx.now());
}

export function refreshSummary(ctx: ServiceContext, incident: IncidentRecord): void {
  enqueue(ctx.db, incident.number, { kind: 'summary' }, ctx.now());
}

export function queuePostmortem(ctx: ServiceContext, incident: IncidentRecord, options: { replace: boolean } = { replace: false }): void {
  enqueue(ctx.db, incident.number, { kind: 'postmortem', replace: options.replace }, ctx.now());
}

/** Tells the incident's channel what changed and re-renders its pinned summary. */
export function tellAndRefresh(ctx: ServiceContext, incident: IncidentRecord, text: string): void {
  tellIncident(ctx, incident, text);
  refreshSummary(ctx, incident);
}

// --- sending (the outbox worker's side) -------------------------------------

/**
 * Posts one queued message. After an attempt whose outcome is unknown, looks for
 * the post in the channel first: Slack keeps the metadata it was sent with.
 */
export async function postOnce(
  ctx: ServiceContext,
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
export async function refreshSummaryNow(ctx: ServiceContext, number: number): Promise<void> {
  const incident = findIncident(ctx.db, number);
  if (!incident?.channelId || !incident.summaryTs) return;
  await ctx.slack.chat.update({ channel: incident.channelId, ts: incident.summaryTs, ...summaryMessage(incident, ctx.reactions) });
}
