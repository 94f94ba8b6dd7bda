// Gathering an incident's record for its draft and exports: messages with their
// marks, events, follow-ups and the names cached so far. No Slack here.

import type { Queries } from '../db/store.js';
import { mentionedUserIds } from '../domain/mrkdwn.js';
import type { PostmortemOptions } from '../domain/postmortem.js';
import type { ReactionMap } from '../domain/reactions.js';
import { withMarks, type PostmortemInput } from '../domain/timeline.js';

/**
 * How the draft is rendered, by the bot and by `npm run postmortem` alike: quiet stretches
 * are measured against INCIDENT_UPDATE_REMINDER_MINUTES; times in `timeZone` when given.
 */
export function postmortemOptions(settings: { reminderMinutes: number; timeZone?: string | undefined }): PostmortemOptions {
  return { reminderIntervalMs: settings.reminderMinutes * 60_000, ...(settings.timeZone ? { timeZone: settings.timeZone } : {}) };
}

/** Every user id the draft could show: authors, actors, role holders, owners, who added actions, and mentions. */
export function userIdsOf(input: Omit<PostmortemInput, 'names'>): string[] {
  const ids = new Set<string>([input.incident.declaredBy, ...Object.values(input.incident.roles)]);
  for (const message of input.messages) {
    if (message.userId) ids.add(message.userId);
    for (const id of mentionedUserIds(message.text)) ids.add(id);
  }
  for (const event of input.events) {
    ids.add(event.actorId);
    if (event.kind === 'role') ids.add(event.userId);
    const said = event.kind === 'note' || event.kind === 'summary' || event.kind === 'impact' ? event.text : event.kind === 'status' ? event.message : null;
    if (said) for (const id of mentionedUserIds(said)) ids.add(id);
  }
  for (const action of input.actions) {
    if (action.ownerId) ids.add(action.ownerId);
    if (action.createdBy) ids.add(action.createdBy);
  }
  return [...ids];
}

/**
 * The incident's whole record with the names cached so far, and the workspace's URL if the
 * bot has learned it (for links to messages); null if there is no such incident.
 */
export async function loadPostmortemInput(db: Queries, number: number, reactionMap: ReactionMap): Promise<PostmortemInput | null> {
  const incident = await db.findIncident(number);
  if (!incident) return null;
  const record = {
    incident,
    messages: withMarks(await db.listRecordedMessages(number), reactionMap),
    events: await db.listEvents(number),
    actions: await db.listActions(number),
  };
  return { ...record, names: (await db.cachedNames(userIdsOf(record))).names, reactions: reactionMap, workspaceUrl: await db.workspaceUrl() };
}
