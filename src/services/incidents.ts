// Reading incidents, for the listeners: which incident a channel belongs to, which are open.

import { findIncidentByChannel, listOpenIncidents, type IncidentRecord } from '../db/incidents.js';
import type { ServiceContext } from './context.js';

export type { IncidentRecord };

export function incidentForChannel(ctx: ServiceContext, channelId: string): IncidentRecord | null {
  return findIncidentByChannel(ctx.db, channelId);
}

export function openIncidents(ctx: ServiceContext): IncidentRecord[] {
  return listOpenIncidents(ctx.db);
}
