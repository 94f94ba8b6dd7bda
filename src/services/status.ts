// Status updates, resolving and re-opening. The change and the notices it
// sends (channel, pinned summary, announcement, draft) commit together; the
// outbox sends them.

import { changeStatus, type IncidentRecord } from '../db/incidents.js';
import type { Status } from '../domain/incident.js';
import { announcement, statusHeadline, statusUpdateMessage } from '../messages/blocks.js';
import { announce, queuePostmortem, tellAndRefresh, withNotices } from './broadcast.js';
import type { ServiceContext } from './context.js';

export interface StatusRequest {
  status: Status;
  message: string | null;
  userId: string;
}

export function updateStatus(ctx: ServiceContext, incident: IncidentRecord, request: StatusRequest): IncidentRecord {
  const resolving = request.status === 'resolved';
  const isUpdate = request.status === incident.status;
  const updated = withNotices(ctx, () => {
    const changed = changeStatus(ctx.db, incident.number, {
      status: request.status,
      message: request.message,
      actorId: request.userId,
      at: ctx.now(),
      ...(resolving ? { resolutionSummary: request.message } : {}),
    });
    tellAndRefresh(ctx, changed, statusUpdateMessage(changed, request, isUpdate));
    announce(ctx, changed, announcement(changed, `${statusHeadline(request.status, isUpdate)}:`, request.message));
    if (resolving) queuePostmortem(ctx, changed);
    return changed;
  });
  ctx.logger.info({ incident: incident.number, status: request.status }, resolving ? 'incident resolved' : 'status update');
  return updated;
}
