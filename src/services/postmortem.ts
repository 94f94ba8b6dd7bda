// Gathering an incident's record, naming its people, and publishing the draft.

import { listActions } from '../db/actions.js';
import { listDraftFileIds, listLiveDrafts, markDraftWithdrawn, recordPostedDraft } from '../db/drafts.js';
import type { Db } from '../db/connection.js';
import { findIncident, listEvents } from '../db/incidents.js';
import { listTimelineMessages } from '../db/messages.js';
import { cachedNames, saveName } from '../db/users.js';
import { incidentRef } from '../domain/incident.js';
import { mentionedUserIds } from '../domain/mrkdwn.js';
import { renderPostmortem } from '../domain/postmortem.js';
import type { ReactionMap } from '../domain/reactions.js';
import type { PostmortemInput } from '../domain/timeline.js';
import type { ConversationsHistoryResponse } from '@slack/web-api';
import type { ServiceContext } from './context.js';
import { findInPages } from './slack-pages.js';
import { tolerating } from './slack-errors.js';

/** Names older than this are fetched again: people change their display names. */
const NAME_MAX_AGE_MS = 24 * 60 * 60 * 1000;


/** Every user id the draft could show: authors, actors, role holders, owners and mentions. */
export function userIdsOf(input: Omit<PostmortemInput, 'names'>): string[] {
  const ids = new Set<string>([input.incident.declaredBy, ...Object.values(input.incident.roles)]);
  for (const message of input.messages) {
    if (message.userId) ids.add(message.userId);
    for (const id of mentionedUserIds(message.text)) ids.add(id);
  }
  for (const event of input.events) {
    ids.add(event.actorId);
    if (event.kind === 'role') ids.add(event.userId);
  }
  for (const action of input.actions) if (action.ownerId) ids.add(action.ownerId);
  return [...ids];
}

/** The incident's whole record with the names cached so far; null if there is no such incident. */
export function loadPostmortemInput(db: Db, number: number, reactionMap: ReactionMap): PostmortemInput | null {
  const incident = findIncident(db, number);
  if (!incident) return null;
  const record = {
    incident,
    messages: listTimelineMessages(db, number, reactionMap),
    events: listEvents(db, number),
    actions: listActions(db, number),
  };
  return { ...record, names: cachedNames(db, userIdsOf(record)).names, reactions: reactionMap };
}

/** Fetches display names that are missing or stale. A failed lookup leaves the old name (or the id). */
export async function refreshNames(ctx: ServiceContext, ids: readonly string[]): Promise<void> {
  const { fetchedAt } = cachedNames(ctx.db, ids);
  const stale = ids.filter((id) => (fetchedAt[id] ?? -Infinity) < ctx.now() - NAME_MAX_AGE_MS);
  await Promise.all(
    stale.map(async (id) => {
      try {
        const { user } = await ctx.slack.users.info({ user: id });
        // A document wants the full name people know; the handle is the fallback.
        const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name;
        if (name) saveName(ctx.db, id, name, ctx.now());
      } catch (err) {
        ctx.logger.warn({ err, user: id }, 'could not look up a display name');
      }
    }),
  );
}

/** Looks up, in the background, the names of people the draft will show, so exports never need Slack. */
export function rememberPeople(ctx: ServiceContext, ids: ReadonlyArray<string | null | undefined>): void {
  const known = ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
  if (known.length === 0) return;
  ctx.tasks.run('look up display names', () => refreshNames(ctx, [...new Set(known)]));
}

export function postmortemFilename(number: number): string {
  return `${incidentRef(number)}-postmortem.md`;
}

/**
 * Renders the draft from what is stored now and uploads it to the incident's channel.
 * After an attempt whose outcome is unknown (`checkFirst`), a draft this job already
 * shared is found in the channel and recorded instead of being uploaded again.
 */
export async function publishPostmortem(
  ctx: ServiceContext,
  number: number,
  attempt: { since: number; checkFirst: boolean } = { since: 0, checkFirst: false },
): Promise<string> {
  const first = loadPostmortemInput(ctx.db, number, ctx.reactions);
  const channel = first?.incident.channelId;
  if (!first || !channel) throw new Error(`incident ${number} has no channel to post its draft in`);
  const filename = postmortemFilename(number);
  await refreshNames(ctx, userIdsOf(first));
  const input = loadPostmortemInput(ctx.db, number, ctx.reactions) ?? first;
  const markdown = renderPostmortem(input);
  if (attempt.checkFirst) {
    const shared = await unrecordedDraftSince(ctx, number, channel, attempt.since);
    if (shared) {
      recordPostedDraft(ctx.db, { incidentId: number, fileId: shared, postedAt: ctx.now() });
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
  for (const fileId of uploadedFileIds(uploaded)) recordPostedDraft(ctx.db, { incidentId: number, fileId, postedAt: ctx.now() });
  ctx.logger.info({ incident: number, bytes: markdown.length }, 'postmortem draft posted');
  return markdown;
}

/** A draft the bot shared in the channel since `since` that no earlier upload recorded: this job's lost one. */
async function unrecordedDraftSince(ctx: ServiceContext, number: number, channel: string, since: number): Promise<string | null> {
  const filename = postmortemFilename(number);
  const known = new Set(listDraftFileIds(ctx.db, number));
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
export async function withdrawDrafts(ctx: ServiceContext, number: number): Promise<void> {
  for (const draft of listLiveDrafts(ctx.db, number)) {
    await tolerating(['file_not_found', 'file_deleted'], () => ctx.slack.files.delete({ file: draft.fileId }));
    markDraftWithdrawn(ctx.db, draft.id, ctx.now());
  }
}
