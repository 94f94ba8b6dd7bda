// Telling people: the incident's channel, its pinned summary, and the
// announcement channel. Notices are queued in the outbox in the same
// transaction as the change they report (the caller's), then sent by the
// outbox worker. Private incidents are never announced.

import type { IncidentRecord } from '../db/incidents.js';
import type { ServiceContext } from './context.js';

export async function tellIncident(ctx: ServiceContext, incident: IncidentRecord, text: string): Promise<void> {
  await ctx.db.enqueue(incident.number, { kind: 'post', channel: 'incident', text }, ctx.now());
}

export async function announce(ctx: ServiceContext, incident: IncidentRecord, text: string): Promise<void> {
  if (!ctx.config.announceChannel || incident.isPrivate) return;
  await ctx.db.enqueue(incident.number, { kind: 'post', channel: ctx.config.announceChannel, text }, ctx.now());
}

export async function refreshSummary(ctx: ServiceContext, incident: IncidentRecord): Promise<void> {
  await ctx.db.enqueue(incident.number, { kind: 'summary' }, ctx.now());
}

export async function queuePostmortem(ctx: ServiceContext, incident: IncidentRecord, options: { replace: boolean } = { replace: false }): Promise<void> {
  await ctx.db.enqueue(incident.number, { kind: 'postmortem', replace: options.replace }, ctx.now());
}

/** Tells the incident's channel what changed and re-renders its pinned summary. */
export async function tellAndRefresh(ctx: ServiceContext, incident: IncidentRecord, text: string): Promise<void> {
  await tellIncident(ctx, incident, text);
  await refreshSummary(ctx, incident);
}
