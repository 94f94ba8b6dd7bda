// Telling people: the incident's channel, its pinned summary, and the
// announcement channel. Private incidents are never announced.

import { findIncident, type IncidentRecord } from '../db/incidents.js';
import { summaryMessage } from '../slack/blocks.js';
import type { ServiceContext } from './context.js';

export async function postToIncident(ctx: ServiceContext, incident: IncidentRecord, text: string): Promise<void> {
  if (!incident.channelId) return;
  await ctx.slack.chat.postMessage({ channel: incident.channelId, text });
}

/** Re-renders the pinned summary from what is stored now, so it never shows a stale state. */
export async function refreshSummary(ctx: ServiceContext, number: number): Promise<void> {
  const incident = findIncident(ctx.db, number);
  if (!incident?.channelId || !incident.summaryTs) return;
  await ctx.slack.chat.update({ channel: incident.channelId, ts: incident.summaryTs, ...summaryMessage(incident) });
}

export async function announce(ctx: ServiceContext, incident: IncidentRecord, text: string): Promise<void> {
  if (!ctx.config.announceChannel || incident.isPrivate) return;
  await ctx.slack.chat.postMessage({ channel: ctx.config.announceChannel, text });
}

/** In the background: tells the incident's channel what changed, then re-renders its pinned summary. */
export function tellAndRefresh(ctx: ServiceContext, incident: IncidentRecord, task: string, text: string): void {
  ctx.tasks.run(`${task} of incident ${incident.number}`, async () => {
    await postToIncident(ctx, incident, text);
    await refreshSummary(ctx, incident.number);
  });
}
