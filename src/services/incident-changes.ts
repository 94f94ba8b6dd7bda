// Severity, roles, the summary and impact statement, and the display zone: each
// committed together with the notices that tell the channel and refresh the
// pinned summary.

import { assignRole, changeSeverity, setStatement, setTimeZone, type IncidentRecord, type Statement } from '../db/incidents.js';
import { severityLabel, type Role, type Severity } from '../domain/incident.js';
import { announcement, roleMessage, severityMessage, statementMessage, timeZoneMessage } from '../messages/blocks.js';
import { announce, tellAndRefresh, withNotices } from './broadcast.js';
import type { ServiceContext } from './context.js';
import { enqueue } from '../db/outbox.js';

export function changeIncidentSeverity(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { severity: Severity; userId: string },
): IncidentRecord {
  return withNotices(ctx, () => {
    const updated = changeSeverity(ctx.db, incident.number, { to: request.severity, actorId: request.userId, at: ctx.now() });
    tellAndRefresh(ctx, updated, severityMessage(incident.severity, request.severity, request.userId));
    announce(
      ctx,
      updated,
      announcement(updated, `:rotating_light: Severity ${severityLabel(incident.severity)} → ${severityLabel(request.severity)}:`),
    );
    return updated;
  });
}

export function assignIncidentRole(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { role: Role; userId: string; actorId: string },
): IncidentRecord {
  return withNotices(ctx, () => {
    const assigned = assignRole(ctx.db, incident.number, { ...request, at: ctx.now() });
    tellAndRefresh(ctx, assigned, roleMessage(request.role, request.userId, request.actorId));
    // Whoever takes a role should be in the room.
    enqueue(ctx.db, incident.number, { kind: 'invite', userId: request.userId }, ctx.now());
    return assigned;
  });
}

/** `/incident summary` and `/incident impact`: the last one wins; each is kept as a timeline event. */
export function setIncidentStatement(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { kind: Statement; text: string; userId: string },
): IncidentRecord {
  return withNotices(ctx, () => {
    const updated = setStatement(ctx.db, incident.number, { kind: request.kind, text: request.text, actorId: request.userId, at: ctx.now() });
    tellAndRefresh(ctx, updated, statementMessage(request.kind, request.text, request.userId));
    return updated;
  });
}

export function setIncidentTimeZone(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { zone: string; userId: string },
): IncidentRecord {
  return withNotices(ctx, () => {
    const updated = setTimeZone(ctx.db, incident.number, request.zone);
    tellAndRefresh(ctx, updated, timeZoneMessage(request.zone, ctx.now(), request.userId));
    return updated;
  });
}
