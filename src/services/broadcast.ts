// Telling people: the incident's channel, its pinned summary, and the
// announcement channel. Notices are queued in the outbox in the same
// transaction as the change they report, then sent by the outbox worker.
// Private incidents are never announced.

import type { IncidentRecord } from '../db/incidents.js';
import { enqueue } from '../db/outbox.js';
import type { ServiceContext } from './context.js';

/** Runs a change and the notices it queues in one transaction, then wakes the outbox. */
export function withNotices<T>(ctx: ServiceContext, change: () => T): T {
  const result = ctx.db.transaction(change);
  ctx.outbox.kick();
  return result;
}

export function tellIncident(ctx: ServiceContext, incident: IncidentRecord, text: string): void {
  enqueue(ctx.db, incident.number, { kind: 'post', channel: 'incident', text }, ctx.now());
}

export function announce(ctx: ServiceContext, incident: IncidentRecord, text: string): void {
  if (!ctx.config.announceChannel || incident.isPrivate) return;
  enqueue(ctx.db, incident.number, { kind: 'post', channel: ctx.config.announceChannel, text }, ctx.now());
}

export function refreshSummary(ctx: ServiceContext, incident: IncidentRecord): void {
  enqueue(ctx.db, incident.number, { kind: 'summary' }, ctx.now());
}

export function queuePostmortem(ctx: ServiceContext, incident: IncidentRecord, options: { replace: boolean } = { replace: false }): void {
  enqueue(ctx.db, incident.number, { kind: 'postmortem', replace: options.replace }, ctx.now());
}

/** Tells the incident's channel what changed and re-renders its pinned summary. */
export function tellAndRefresh(ctx: ServiceContext, incident: IncidentRecord, text: string): void {
  tellIncident(ctx, incident, text);
  refreshSummary(ctx, incident);
}
