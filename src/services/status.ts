// Status updates, resolving and re-opening. The change and the notices it
// sends (channel, pinned summary, announcement, draft) commit together; the
// outbox sends them.

import type { IncidentRecord } from '../db/incidents.js';
import { applyStatus, type Status } from '../domain/incident.js';
import { announcement, statusHeadline, statusUpdateMessage } from '../messages/blocks.js';
import { announce, queuePostmortem, tellAndRefresh } from './broadcast.js';
import type { ServiceContext } from './context.js';

export interface StatusRequest {
  status: Status;
  message: string | null;
  userId: string;
}

/**
 * Changes the status, or returns null (changing nothing) when it resolves an incident
 * that is resolved already, as stored now: a second resolve that raced the first.
 */
export async function updateStatus(ctx: ServiceContext, incident: IncidentRecord, request: StatusRequest): Promise<IncidentRecord | null> {
  const resolving = request.status === 'resolved';
  // Read again inside the transaction, and held: the rule works on the incident as stored
  // now, and a change made at the same moment elsewhere (another replica) waits for this one.
  const current = (await ctx.db.findIncidentForUpdate(incident.number)) ?? incident;
  if (resolving && current.status === 'resolved') return null;
  const isUpdate = request.status === current.status;
  const at = ctx.now();
  const patch = applyStatus(current, { status: request.status, message: request.message, at });
  const changed = await ctx.db.saveStatus(incident.number, patch, { message: request.message, actorId: request.userId, at });
  await tellAndRefresh(ctx, changed, statusUpdateMessage(changed, request, isUpdate));
  await announce(ctx, changed, announcement(changed, `${statusHeadline(request.status, isUpdate)}:`, request.message));
  if (resolving) await queuePostmortem(ctx, changed);
  ctx.logger.info({ incident: incident.number, status: request.status }, resolving ? 'incident resolved' : 'status update');
  return changed;
}
