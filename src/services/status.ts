// Status updates, resolving and re-opening. The change is committed at once;
// the posts (channel, pinned summary, announcement, draft) follow in the background.

import { changeStatus, type IncidentRecord } from '../db/incidents.js';
import type { Status } from '../domain/incident.js';
import { announcement, statusHeadline, statusUpdateMessage } from '../slack/blocks.js';
import { announce, postToIncident, refreshSummary } from './broadcast.js';
import type { ServiceContext } from './context.js';
import { publishPostmortem } from './postmortem.js';

export interface StatusRequest {
  status: Status;
  message: string | null;
  userId: string;
}

export function updateStatus(ctx: ServiceContext, incident: IncidentRecord, request: StatusRequest): IncidentRecord {
  const resolving = request.status === 'resolved';
  const isUpdate = request.status === incident.status;
  const updated = changeStatus(ctx.db, incident.number, {
    status: request.status,
    message: request.message,
    actorId: request.userId,
    at: ctx.now(),
    ...(resolving ? { resolutionSummary: request.message } : {}),
  });
  ctx.logger.info({ incident: incident.number, status: request.status }, resolving ? 'incident resolved' : 'status update');
  ctx.tasks.run(`post status update of incident ${incident.number}`, async () => {
    await postToIncident(ctx, updated, statusUpdateMessage(updated, request, isUpdate));
    await refreshSummary(ctx, updated.number);
    await announce(ctx, updated, announcement(updated, `${statusHeadline(request.status, isUpdate)}:`, request.message));
    if (resolving) await publishPostmortem(ctx, updated.number);
  });
  return updated;
}
