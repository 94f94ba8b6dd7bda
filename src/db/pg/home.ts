// Queries for the App Home on PostgreSQL: recently resolved incidents. (Open ones
// come from listOpenIncidents in incidents.ts.)

import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { incidentRows, type IncidentRecord } from '../incidents.js';
import type { PgRunner } from './connection.js';
import { incidents } from './schema.js';

/** Resolved incidents, latest resolution first; `offset` pages further back. */
export async function listRecentlyResolved(db: PgRunner, page: { limit: number; offset?: number }): Promise<IncidentRecord[]> {
  // Whole rows in one query (a round trip per incident costs more here than on SQLite);
  // the row-to-record mapping is still the one in incidents.ts.
  const rows = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.status, 'resolved'), isNotNull(incidents.resolvedAt)))
    .orderBy(desc(incidents.resolvedAt), desc(incidents.id))
    .limit(page.limit)
    .offset(page.offset ?? 0);
  return rows.map(incidentRows.toIncident);
}
