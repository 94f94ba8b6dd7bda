// Publishing the postmortem draft: rendered from what is stored when it is sent,
// uploaded once (a lost answer is found in the channel, not uploaded again), and
// withdrawn when a delete makes a posted one stale.

import type { ConversationsHistoryResponse } from '@slack/web-api';
import { refreshNames } from '../courtesies/names.js';
import { incidentRef } from '../domain/incident.js';
import { renderPostmortem } from '../domain/postmortem.js';
import { loadPostmortemInput, postmortemOptions, userIdsOf } from '../services/postmortem.js';
import { findInPages } from './slack-pages.js';
import { tolerating } from './slack-errors.js';
import type { SlackContext } from '../services/context.js';

export function postmortemFilename(number: number): string {
  return `${incidentRef(number)}-postmortem.md`;
}

/**
 * Renders the draft from what is stored now and uploads it to the incident's channel.
 * After an attempt whose outcome is unknown (`checkFirst`), a draft this job already
 * shared is found in the channel and recorded instead of being uploaded again.
 */
export async function publishPostmortem(
  ctx: SlackContext,
  number: number,
  attempt: { since: number; checkFirst: boolean } = { since: 0, checkFirst: false },
): Promise<string> {
  const first = await loadPostmortemInput(ctx.db, number, ctx.reactions);
  const channel = first?.incident.channelId;
  if (!first || !channel) throw new Error(`incident ${number} has no channel to post its draft in`);
  const filename = postmortemFilename(number);
  await refreshNames(ctx, userIdsOf(first));
  const input = (await loadPostmortemInput(ctx.db, number, ctx.reactions)) ?? first;
  const markdown = renderPostmortem(input, postmortemOptions({ reminderMinutes: ctx.config.updateReminderMinutes }));
  if (attempt.checkFirst) {
    const shared = await unrecordedDraftSince(ctx, number, channel, attempt.since);
    if (shared) {
      await ctx.db.recordPostedDraft({ incidentId: number, fileId: shared, postedAt: ctx.now() });
      return markdown;
    }
  }
  const uploaded = await ctx.slack.files.uploadV2({
    channel_id: channel,
    filename,
    title: `${incidentRef(number)} postmortem draft`,
    content: markdown,
    initial_comment: `:memo: Postmortem draft for ${incidentRef(number)}. Download it, fill in the _TODO_ prompts, and publish. \`npm run postmortem -- ${number}\` exports the same draft.`,
  });
  for (const fileId of uploadedFileIds(uploaded)) await ctx.db.recordPostedDraft({ incidentId: number, fileId, postedAt: ctx.now() });
  ctx.logger.info({ incident: number, bytes: markdown.length }, 'postmortem draft posted');
  return markdown;
}

/** A draft the bot shared in the channel since `since` that no earlier upload recorded: this job's lost one. */
async function unrecordedDraftSince(ctx: SlackContext, number: number, channel: string, since: number): Promise<string | null> {
  const filename = postmortemFilename(number);
  const known = new Set(await ctx.db.listDraftFileIds(number));
  const { user_id: botUserId } = await ctx.slack.auth.test();
  const fileId = await findInPages(
    ctx.slack,
    'conversations.history',
    { channel, oldest: String(Math.floor(since / 1000) - 60) },
    (page: ConversationsHistoryResponse) =>
      page.messages
        ?.filter((message) => message.user === botUserId)
        .flatMap((message) => message.files ?? [])
        .find((file) => file.name === filename && file.id !== undefined && !known.has(file.id))?.id,
  );
  return fileId ?? null;
}

/** files.uploadV2 answers with one completion per upload, each listing its files. */
function uploadedFileIds(result: unknown): string[] {
  const completions = (result as { files?: Array<{ files?: Array<{ id?: string }> }> }).files ?? [];
  return completions.flatMap((completion) => (completion.files ?? []).flatMap((file) => (file.id ? [file.id] : [])));
}

/** Deletes the drafts posted so far, which may quote text deleted since. */
export async function withdrawDrafts(ctx: SlackContext, number: number): Promise<void> {
  for (const draft of await ctx.db.listLiveDrafts(number)) {
    await tolerating(['file_not_found', 'file_deleted'], () => ctx.slack.files.delete({ file: draft.fileId }));
    await ctx.db.markDraftWithdrawn(draft.id, ctx.now());
  }
}
