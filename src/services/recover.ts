// After a restart: finish what was acknowledged but not completed.

import { listIncidentsWithoutChannel } from '../db/incidents.js';
import type { ServiceContext } from './context.js';
import { openIncidentChannel } from './declare.js';

/** Incidents recorded without a channel (the process stopped mid-declare) get their channel now. */
export function resumeDeclares(ctx: ServiceContext): void {
  for (const incident of listIncidentsWithoutChannel(ctx.db)) {
    ctx.logger.warn({ incident: incident.number }, 'finishing an interrupted declare');
    ctx.tasks.run(`open channel for incident ${incident.number}`, () => openIncidentChannel(ctx, incident.number));
  }
}
