// Recording what happens in incident channels. The listeners run each of these
// inside the request's commit (services/inbound.ts), and Bolt answers Slack only
// once that transaction has committed (processBeforeResponse).

import type { NewMessage, ReactionChange } from '../db/messages.js';
import type { SharedFile } from '../domain/timeline.js';
import { slackTsToMs } from '../domain/time.js';
import type { ServiceContext } from './context.js';
import { queuePostmortem } from './broadcast.js';

/** The parts of a Slack `message` event that sitrep keeps: a stored message before it has an incident and a time. */
export type IncomingMessage = Pick<NewMessage, 'channelId' | 'ts' | 'threadTs' | 'userId' | 'botId' | 'subtype' | 'text'> & {
  authorName: string | null;
  files: SharedFile[];
};

export type RecordOutcome = 'recorded' | 'duplicate' | 'not-an-incident';

function row(incidentId: number, message: IncomingMessage) {
  return { incidentId, ...message, files: message.files.length > 0 ? message.files : null, postedAt: slackTsToMs(message.ts) };
}

export async function recordIncomingMessage(ctx: ServiceContext, message: IncomingMessage): Promise<RecordOutcome> {
  const incident = await ctx.db.findIncidentByChannel(message.channelId);
  if (!incident) return 'not-an-incident';
  return (await ctx.db.recordMessage(row(incident.number, message))) ? 'recorded' : 'duplicate';
}

export async function recordEdit(ctx: ServiceContext, message: IncomingMessage, editedAt: number): Promise<boolean> {
  const incident = await ctx.db.findIncidentByChannel(message.channelId);
  if (!incident) return false;
  await ctx.db.editMessage({ ...row(incident.number, message), editedAt });
  return true;
}

/**
 * Deletes a message's text. A draft already posted may quote it, so the posted
 * drafts are withdrawn and replaced (through the outbox, which folds a burst of
 * deletes into one replacement).
 */
export async function recordDelete(ctx: ServiceContext, removal: { channelId: string; ts: string; deletedAt: number }): Promise<boolean> {
  const incident = await ctx.db.findIncidentByChannel(removal.channelId);
  if (!incident) return false;
  const removedText = await ctx.db.deleteMessage({ incidentId: incident.number, ...removal });
  // Any recorded message may be in a posted draft: its mark can have been taken back since.
  // A draft being uploaded now may have been rendered before this delete, so it counts as posted.
  const posted = (await ctx.db.listLiveDrafts(incident.number)).length > 0 || (await ctx.db.startedNotDone(incident.number, 'postmortem'));
  if (removedText && posted) await queuePostmortem(ctx, incident, { replace: true });
  return true;
}

/** A reaction added or removed, with Slack's time of the change. */
export type IncomingReaction = ReactionChange;

/** Keeps who reacted with what, in Slack's order; the mark it makes is derived when the timeline is read. */
export async function recordReaction(ctx: ServiceContext, reaction: IncomingReaction, change: 'added' | 'removed'): Promise<boolean> {
  if (!(await ctx.db.findIncidentByChannel(reaction.channelId))) return false;
  if (change === 'added') await ctx.db.addReaction(reaction);
  else await ctx.db.removeReaction(reaction);
  return true;
}
