// Declaring an incident: recorded first (so nothing is lost if Slack is slow
// or the process dies), then its channel is opened in the background.

import type { Severity } from '../domain/incident.js';
import { channelName, incidentRef } from '../domain/incident.js';
import {
  findIncident,
  insertIncident,
  setIncidentChannel,
  setSummaryMessage,
  type IncidentRecord,
} from '../db/incidents.js';
import { announcement, summaryMessage } from '../slack/blocks.js';
import type { ServiceContext, Tell } from './context.js';
import { slackErrorCode, tolerating } from './slack-errors.js';

export interface DeclareRequest {
  title: string;
  severity: Severity;
  summary: string | null;
  impact: string | null;
  isPrivate: boolean;
  userId: string;
  originChannelId: string | null;
  /** Identifies the request (trigger or view id) so a repeat makes no second incident. */
  declareKey: string | null;
}

/** Slack refuses a name in use; after this many suffixes something else is wrong. */
const MAX_NAME_ATTEMPTS = 20;

export function declareIncident(ctx: ServiceContext, request: DeclareRequest): { incident: IncidentRecord; created: boolean } {
  const result = insertIncident(ctx.db, {
    title: request.title,
    severity: request.severity,
    summary: request.summary,
    impact: request.impact,
    isPrivate: request.isPrivate,
    declaredBy: request.userId,
    declaredFrom: request.originChannelId,
    declareKey: request.declareKey,
    timeZone: ctx.config.timeZone,
    declaredAt: ctx.now(),
  });
  if (result.created) ctx.logger.info({ incident: result.incident.number }, 'incident declared');
  return result;
}

async function createChannel(ctx: ServiceContext, incident: IncidentRecord): Promise<{ id: string; name: string }> {
  for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt += 1) {
    const name = channelName(ctx.config.channelPrefix, incident.number, incident.title, attempt === 1 ? undefined : attempt);
    try {
      const created = await ctx.slack.conversations.create({ name, is_private: incident.isPrivate });
      const id = created.channel?.id;
      if (!id) throw new Error('conversations.create returned no channel id');
      return { id, name: created.channel?.name ?? name };
    } catch (error) {
      if (slackErrorCode(error) !== 'name_taken') throw error;
    }
  }
  throw new Error(`no free channel name for ${incidentRef(incident.number)} after ${MAX_NAME_ATTEMPTS} attempts`);
}

/**
 * Opens the incident's channel: creates it, records it, invites the declarer,
 * posts and pins the summary, announces it, and tells the declarer where it is.
 */
export async function openIncidentChannel(ctx: ServiceContext, number: number, tell?: Tell): Promise<void> {
  const pending = findIncident(ctx.db, number);
  if (!pending) throw new Error(`incident ${number} does not exist`);
  if (!pending.channelId) {
    const channel = await createChannel(ctx, pending);
    setIncidentChannel(ctx.db, number, channel.id, channel.name);
  }
  const incident = findIncident(ctx.db, number);
  const channelId = incident?.channelId;
  if (!incident || !channelId) throw new Error(`incident ${number} has no channel after creating one`);

  await tolerating(['already_in_channel', 'cant_invite_self'], () =>
    ctx.slack.conversations.invite({ channel: channelId, users: incident.declaredBy }),
  );
  if (!incident.summaryTs) {
    const posted = await ctx.slack.chat.postMessage({ channel: channelId, ...summaryMessage(incident) });
    const ts = posted.ts;
    if (ts) {
      setSummaryMessage(ctx.db, number, ts);
      await tolerating(['already_pinned'], () => ctx.slack.pins.add({ channel: channelId, timestamp: ts }));
    }
  }
  if (ctx.config.announceChannel && !incident.isPrivate) {
    await ctx.slack.chat.postMessage({
      channel: ctx.config.announceChannel,
      text: announcement(incident, ':rotating_light: Declared'),
    });
  }
  ctx.logger.info({ incident: number, channel: channelId }, 'incident channel open');
  await tell?.(`${incidentRef(number)} is open in <#${channelId}>. Everything said there is recorded.`);
}
