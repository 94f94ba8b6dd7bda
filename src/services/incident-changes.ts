// Severity, roles and the display zone: each committed, then told to the
// channel and reflected in the pinned summary.

import { assignRole, changeSeverity, setTimeZone, type IncidentRecord } from '../db/incidents.js';
import type { Role, Severity } from '../domain/incident.js';
import { announcement, roleMessage, severityMessage, timeZoneMessage } from '../slack/blocks.js';
import { announce, postToIncident, refreshSummary, tellAndRefresh } from './broadcast.js';
import type { ServiceContext } from './context.js';
import { tolerating } from './slack-errors.js';

export function changeIncidentSeverity(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { severity: Severity; userId: string },
): IncidentRecord {
  const updated = changeSeverity(ctx.db, incident.number, { to: request.severity, actorId: request.userId, at: ctx.now() });
  ctx.tasks.run(`post severity change of incident ${incident.number}`, async () => {
    await postToIncident(ctx, updated, severityMessage(incident.severity, request.severity, request.userId));
    await refreshSummary(ctx, updated.number);
    await announce(ctx, updated, announcement(updated, `:rotating_light: Severity ${incident.severity.toUpperCase()} → ${request.severity.toUpperCase()}:`));
  });
  return updated;
}

export function assignIncidentRole(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { role: Role; userId: string; actorId: string },
): IncidentRecord {
  const updated = assignRole(ctx.db, incident.number, { ...request, at: ctx.now() });
  ctx.tasks.run(`post role change of incident ${incident.number}`, async () => {
    if (updated.channelId) {
      // Whoever takes a role should be in the room; already being there is fine.
      const channel = updated.channelId;
      await tolerating(['already_in_channel', 'cant_invite_self'], () =>
        ctx.slack.conversations.invite({ channel, users: request.userId }),
      );
    }
    await postToIncident(ctx, updated, roleMessage(request.role, request.userId, request.actorId));
    await refreshSummary(ctx, updated.number);
  });
  return updated;
}

export function setIncidentTimeZone(
  ctx: ServiceContext,
  incident: IncidentRecord,
  request: { zone: string; userId: string },
): IncidentRecord {
  const updated = setTimeZone(ctx.db, incident.number, request.zone);
  tellAndRefresh(ctx, updated, 'post zone change', timeZoneMessage(request.zone, ctx.now(), request.userId));
  return updated;
}
