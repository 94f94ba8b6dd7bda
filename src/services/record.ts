// Recording what happens in incident channels. Synchronous on purpose:
// the listeners run each of these inside the request's commit (services/inbound.ts),
// and Bolt answers Slack only once that transaction has committed (processBeforeResponse).

import { listLiveDrafts } from '../db/drafts.js';
import { findIncidentByChannel } from '../db/incidents.js';
import { addReaction, deleteMessage, editMessage, recordMessage, removeReaction, type NewMessage, type ReactionChange } from '../db/messages.js';
import { startedNotDone } from '../db/outbox.js';
import type { SharedFile } from '../domain/timeline.js';
import { slackTsToMs } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { queuePostmortem, withNotices } from './broadcast.js';

/** The parts of a Slack `message` event that sitrep keeps: a stored message before it has an incident and a time. */
export type IncomingMessage = Pick<NewMessage, 'channelId' | 'ts' | 'threadTs' | 'userId' | 'botId' | 'subtype' | 'text'> & {
  authorName: string | null;
  files: SharedFile[];
};

export type RecordOutcome = 'recorded' | 'duplicate' | 'not-an-incident';

function row(incidentId: number, message: IncomingMessage) {
  return { incidentId, ...message, files: message.files.length > 0 ? message.files : null, postedAt: slackTsToMs(message.ts) };
}

export function recordIncomingMessage(ctx: ServiceContext, message: IncomingMessage): RecordOutcome {
  const incident = findIncidentByChannel(ctx.db, message.channelId);
  if (!incident) return 'not-an-incident';
  return recordMessage(ctx.db, row(incident.number, message)) ? 'recorded' : 'duplicate';
}

export function recordEdit(ctx: ServiceContext, message: IncomingMessage, editedAt: number): boolean {
  const incident = findIncidentByChannel(ctx.db, message.channelId);
  if (!incident) return false;
  editMessage(ctx.db, { ...row(incident.number, message), editedAt });
  return true;
}

/**
 * Deletes a message's text. A draft already posted may quote it, so the posted
 * drafts are withdrawn and replaced (through the outbox, which folds a burst of
 * deletes into one replacement).
 */
export function recordDelete(ctx: ServiceContext, removal: { channelId: string; ts: string; deletedAt: number }): boolean {
  const incident = findIncidentByChannel(ctx.db, removal.channelId);
  if (!incident) return false;
  withNotices(ctx, () => {
    const removedText = deleteMessage(ctx.db, { incidentId: incident.number, ...removal });
    // Any recorded message may be in a posted draft: its mark can have been taken back since.
    // A draft being uploaded now may have been rendered before this delete, so it counts as posted.
    const posted = listLiveDrafts(ctx.db, incident.number).length > 0 || startedNotDone(ctx.db, incident.number, 'postmortem');
    if (removedText && posted) queuePostmortem(ctx, incident, { replace: true });
  });
  return true;
}

/** A reaction added or removed, with Slack's time of the change. */
export type IncomingReaction = ReactionChange;

/** Keeps who reacted with what, in Slack's order; the mark it makes is derived when the timeline is read. */
export function recordReaction(ctx: ServiceContext, reaction: IncomingReaction, change: 'added' | 'removed'): boolean {
  if (!findIncidentByChannel(ctx.db, reaction.channelId)) return false;
  if (change === 'added') addReaction(ctx.db, reaction);
  else removeReaction(ctx.db, reaction);
  return true;
}
