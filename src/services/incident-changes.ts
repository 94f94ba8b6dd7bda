// Severity, roles, the summary and impact statement, and the display zone: each
// committed together with the notices that tell the channel and refresh the
// pinned summary (in the caller's transaction).

import type { IncidentRecord, Statement } from '../db/incidents.js';
import { severityLabel, type Role, type Severity } from '../domain/incident.js';
import { announcement, roleMessage, severityMessage, statementMessage, timeZoneMessage } from '../messages/blocks.js';
import { announce, tellAndRefresh } from './broadcast.js';
import type { ServiceContext } from './context.js';

export async function changeIncidentSeverity(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { severity: Severity; userId: string },
): Promise<IncidentRecord> {
  const updated = await ctx.db.changeSeverity(incident.number, { to: request.severity, actorId: request.userId, at: ctx.now() });
  await tellAndRefresh(ctx, updated, severityMessage(incident.severity, request.severity, request.userId));
  await announce(
    ctx,
    updated,
    announcement(updated, `:rotating_light: Severity ${severityLabel(incident.severity)} → ${severityLabel(request.severity)}:`),
  );
  return updated;
}

export async function assignIncidentRole(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { role: Role; userId: string; actorId: string },
): Promise<IncidentRecord> {
  const assigned = await ctx.db.assignRole(incident.number, { ...request, at: ctx.now() });
  await tellAndRefresh(ctx, assigned, roleMessage(request.role, request.userId, request.actorId));
  // Whoever takes a role should be in the room.
  await ctx.db.enqueue(incident.number, { kind: 'invite', userId: request.userId }, ctx.now());
  return assigned;
}

/** `/incident summary` and `/incident impact`: the last one wins; each is kept as a timeline event. */
export async function setIncidentStatement(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { kind: Statement; text: string; userId: string },
): Promise<IncidentRecord> {
  const updated = await ctx.db.setStatement(incident.number, { kind: request.kind, text: request.text, actorId: request.userId, at: ctx.now() });
  await tellAndRefresh(ctx, updated, statementMessage(request.kind, request.text, request.userId));
  return updated;
}

export async function setIncidentTimeZone(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { zone: string; userId: string },
): Promise<IncidentRecord> {
  const updated = await ctx.db.setTimeZone(incident.number, request.zone);
  await tellAndRefresh(ctx, updated, timeZoneMessage(request.zone, ctx.now(), request.userId));
  return updated;
}
