// Notes and milestones: entries placed at the time they happened, which may
// be earlier than the moment someone typed them.

import type { IncidentRecord } from '../db/incidents.js';
import type { Milestone } from '../domain/incident.js';
import { MILESTONE_LABELS } from '../domain/incident.js';
import { placeLocalTime, type LocalTime } from '../domain/time.js';
import { milestoneMessage, noteMessage } from '../messages/blocks.js';
import { tellAndRefresh, tellIncident } from './broadcast.js';
import type { ServiceContext } from './context.js';

/** Clocks disagree a little; a time this far ahead is still "now". */
const FUTURE_SKEW_MS = 60_000;

export class FutureTimeError extends Error {
  override readonly name = 'FutureTimeError';
}

function placed(ctx: ServiceContext, incident: IncidentRecord, time: LocalTime | null): number {
  const now = ctx.now();
  if (time === null) return now;
  const at = placeLocalTime(time, incident.timeZone, now, FUTURE_SKEW_MS);
  if (at > now + FUTURE_SKEW_MS) throw new FutureTimeError('That time is in the future.');
  return at;
}

export async function addIncidentNote(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { time: LocalTime | null; text: string; userId: string },
): Promise<number> {
  const at = placed(ctx, incident, request.time);
  await ctx.db.addNote(incident.number, { text: request.text, at, actorId: request.userId });
  await tellIncident(ctx, incident, noteMessage(at, incident.timeZone, request.text, request.userId, ctx.now()));
  return at;
}

export async function setIncidentMilestone(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { milestone: Milestone; time: LocalTime; userId: string },
): Promise<number> {
  const at = placed(ctx, incident, request.time);
  const updated = await ctx.db.setMilestone(incident.number, { milestone: request.milestone, at, actorId: request.userId });
  await tellAndRefresh(ctx, updated, milestoneMessage(MILESTONE_LABELS[request.milestone], at, updated.timeZone, request.userId));
  return at;
}
