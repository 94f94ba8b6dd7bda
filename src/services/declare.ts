// Declaring an incident: the incident and the job to open its channel are
// recorded together first (so nothing is lost if Slack is slow or the process
// dies); the outbox then opens the channel (outbox/open-channel.ts), resuming
// after a restart.

import { insertIncident, type IncidentRecord } from '../db/incidents.js';
import { enqueue } from '../db/outbox.js';
import type { Severity } from '../domain/incident.js';
import { withNotices } from './broadcast.js';
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


export function declareIncident(ctx: ServiceContext, request: DeclareRequest): { incident: IncidentRecord; created: boolean } {
  const result = withNotices(ctx, () => {
    const declared = insertIncident(ctx.db, {
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
      enqueue(ctx.db, declared.incident.number, { kind: 'open-channel', respondUrl: request.respondUrl }, ctx.now());
    }
    return declared;
  });
  if (result.created) ctx.logger.info({ incident: result.incident.number }, 'incident declared');
  return result;
}
