// Follow-up actions: those added with `/incident action` and those marked :memo:.

import { addAction, listActions } from '../db/actions.js';
import type { IncidentRecord } from '../db/incidents.js';
import { listRecordedMessages } from '../db/messages.js';
import { withMarks, type ActionType } from '../domain/timeline.js';
import { actionAddedMessage, actionList } from '../messages/blocks.js';
import { tellIncident, withNotices } from './broadcast.js';
import type { ServiceContext } from './context.js';

export function addFollowUp(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { text: string; ownerId: string | null; type: ActionType | null; ticketUrl: string | null; userId: string },
): void {
  const { userId, ...action } = request;
  withNotices(ctx, () => {
    addAction(ctx.db, { incidentId: incident.number, ...action, createdBy: userId, createdAt: ctx.now() });
    tellIncident(ctx, incident, actionAddedMessage(action, userId));
  });
}

export function describeFollowUps(ctx: ServiceContext, incident: IncidentRecord): string {
  const marked = withMarks(listRecordedMessages(ctx.db, incident.number), ctx.reactions).filter(
    (message) => !message.deleted && message.categories.includes('action'),
  );
  return actionList(incident, listActions(ctx.db, incident.number), marked);
}
