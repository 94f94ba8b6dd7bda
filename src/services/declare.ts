// Declaring an incident: the incident and the job to open its channel are
// recorded together first (so nothing is lost if Slack is slow or the process
// dies); the outbox then opens the channel (outbox/open-channel.ts), resuming
// after a restart.

import type { IncidentRecord } from '../db/incidents.js';
import type { Severity } from '../domain/incident.js';
import type { ServiceContext } from './context.js';

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
  /** Where to tell the declarer that the channel is open (a slash command's response_url). */
  respondUrl: string | null;
}


export async function declareIncident(ctx: ServiceContext, request: DeclareRequest): Promise<{ incident: IncidentRecord; created: boolean }> {
  const declared = await ctx.db.insertIncident({
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
  if (declared.created) {
    await ctx.db.enqueue(declared.incident.number, { kind: 'open-channel', respondUrl: request.respondUrl }, ctx.now());
    ctx.logger.info({ incident: declared.incident.number }, 'incident declared');
  }
  return declared;
}
