// Who may see a private incident: the people in its channel.

import type { IncidentRecord } from '../db/incidents.js';
import type { ConversationsMembersResponse } from '@slack/web-api';
import type { SlackContext } from '../services/context.js';
import { findInPages } from '../outbox/slack-pages.js';

/**
 * Whether `userId` may see `incident` listed; a failed membership check hides it.
 * Membership is the only test: having declared the incident or holding a role in
 * it does not count once the person has left (or been removed from) the channel.
 */
export async function canSee(ctx: SlackContext, incident: IncidentRecord, userId: string): Promise<boolean> {
  if (!incident.isPrivate) return true;
  if (!incident.channelId) return false;
  try {
    const found = await findInPages(ctx.slack, 'conversations.members', { channel: incident.channelId }, (page: ConversationsMembersResponse) =>
      page.members?.includes(userId) ? true : undefined,
    );
    return found ?? false;
  } catch (err) {
    ctx.logger.warn({ err, incident: incident.number }, 'could not check membership of a private incident; hiding it');
    return false;
  }
}

export async function visibleTo(ctx: SlackContext, incidents: readonly IncidentRecord[], userId: string): Promise<IncidentRecord[]> {
  const allowed = await Promise.all(incidents.map((incident) => canSee(ctx, incident, userId)));
  return incidents.filter((_incident, index) => allowed[index]);
}
