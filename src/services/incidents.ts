// Reading incidents, for the listeners: which incident a channel belongs to, which are open.

import type { IncidentRecord } from '../db/incidents.js';
import type { ServiceContext } from './context.js';

export type { IncidentRecord };

export function incidentForChannel(ctx: ServiceContext, channelId: string): Promise<IncidentRecord | null> {
  return ctx.db.findIncidentByChannel(channelId);
}

export function openIncidents(ctx: ServiceContext): Promise<IncidentRecord[]> {
  return ctx.db.listOpenIncidents();
}
