// Follow-up actions: those added with `/incident action` and those marked :memo:.

import type { IncidentRecord } from '../db/incidents.js';
import { withMarks, type ActionType } from '../domain/timeline.js';
import { actionAddedMessage, actionList } from '../messages/blocks.js';
import { tellIncident } from './broadcast.js';
import type { ServiceContext } from './context.js';

export async function addFollowUp(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { text: string; ownerId: string | null; type: ActionType | null; ticketUrl: string | null; userId: string },
): Promise<void> {
  const { userId, ...action } = request;
  await ctx.db.addAction({ incidentId: incident.number, ...action, createdBy: userId, createdAt: ctx.now() });
  await tellIncident(ctx, incident, actionAddedMessage(action, userId));
}

export async function describeFollowUps(ctx: ServiceContext, incident: IncidentRecord): Promise<string> {
  const marked = withMarks(await ctx.db.listRecordedMessages(incident.number), ctx.reactions).filter(
    (message) => !message.deleted && message.categories.includes('action'),
  );
  return actionList(incident, await ctx.db.listActions(incident.number), marked);
}
