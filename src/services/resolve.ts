// Resolving an incident: the status change is committed at once; the
// announcement and the postmortem draft follow in the background.

import { changeStatus, type IncidentRecord } from '../db/incidents.js';
import { announcement, resolvedMessage, summaryMessage } from '../slack/blocks.js';
import type { ServiceContext } from './context.js';
import { publishPostmortem } from './postmortem.js';

export function resolveIncident(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { userId: string; summary: string | null },
): IncidentRecord {
  const resolved = changeStatus(ctx.db, incident.number, {
    status: 'resolved',
    message: request.summary,
    actorId: request.userId,
    at: ctx.now(),
    resolutionSummary: request.summary,
  });
  ctx.logger.info({ incident: incident.number }, 'incident resolved');
  ctx.tasks.run(`announce resolution of incident ${incident.number}`, () =>
    announceResolution(ctx, { ...resolved, summaryTs: incident.summaryTs }, request.userId),
  );
  return resolved;
}

async function announceResolution(ctx: ServiceContext, incident: IncidentRecord, userId: string): Promise<void> {
  const channel = incident.channelId;
  if (!channel) return;
  await ctx.slack.chat.postMessage({ channel, text: resolvedMessage(incident, userId) });
  if (incident.summaryTs) await ctx.slack.chat.update({ channel, ts: incident.summaryTs, ...summaryMessage(incident) });
  if (ctx.config.announceChannel && !incident.isPrivate) {
    await ctx.slack.chat.postMessage({
      channel: ctx.config.announceChannel,
      text: announcement(incident, ':white_check_mark: Resolved'),
    });
  }
  await publishPostmortem(ctx, incident.number);
}
