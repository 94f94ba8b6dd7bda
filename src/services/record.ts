// Recording what happens in incident channels. Synchronous on purpose: the
// row is committed before Bolt answers Slack (processBeforeResponse).

import { findIncidentByChannel } from '../db/incidents.js';
import { addReaction, deleteMessage, editMessage, recordMessage, removeReaction } from '../db/messages.js';
import { slackTsToMs } from '../domain/time.js';
import type { ServiceContext } from './context.js';

/** The parts of a Slack `message` event that sitrep keeps. */
export interface IncomingMessage {
  channelId: string;
  ts: string;
  threadTs: string | null;
  userId: string | null;
  botId: string | null;
  subtype: string | null;
  text: string;
}

export type RecordOutcome = 'recorded' | 'duplicate' | 'not-an-incident';

export function recordIncomingMessage(ctx: ServiceContext, message: IncomingMessage): RecordOutcome {
  const incident = findIncidentByChannel(ctx.db, message.channelId);
  if (!incident) return 'not-an-incident';
  const stored = recordMessage(ctx.db, {
    incidentId: incident.number,
    ...message,
    postedAt: slackTsToMs(message.ts),
  });
  return stored ? 'recorded' : 'duplicate';
}

export function recordEdit(ctx: ServiceContext, edit: { channelId: string; ts: string; text: string; editedAt: number }): boolean {
  if (!findIncidentByChannel(ctx.db, edit.channelId)) return false;
  return editMessage(ctx.db, edit);
}

export function recordDelete(ctx: ServiceContext, removal: { channelId: string; ts: string; deletedAt: number }): boolean {
  if (!findIncidentByChannel(ctx.db, removal.channelId)) return false;
  return deleteMessage(ctx.db, removal);
}

export interface IncomingReaction {
  channelId: string;
  messageTs: string;
  userId: string;
  name: string;
}

/** Keeps who reacted with what; the mark it makes is derived when the timeline is read. */
export function recordReaction(ctx: ServiceContext, reaction: IncomingReaction, change: 'added' | 'removed'): boolean {
  if (!findIncidentByChannel(ctx.db, reaction.channelId)) return false;
  if (change === 'added') addReaction(ctx.db, { ...reaction, addedAt: ctx.now() });
  else removeReaction(ctx.db, reaction);
  return true;
}
