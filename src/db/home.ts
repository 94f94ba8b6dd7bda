// Queries for the App Home: recently resolved incidents. (Open ones come from
// listOpenIncidents in incidents.ts.)

import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from './connection.js';
import { findIncident, type IncidentRecord } from './incidents.js';
import { incidents } from './schema.js';

/** Resolved incidents, latest resolution first; `offset` pages further back. */
export function listRecentlyResolved(db: Db, page: { limit: number; offset?: number }): IncidentRecord[] {
  const numbers = db
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(eq(incidents.status, 'resolved'), isNotNull(incidents.resolvedAt)))
    .orderBy(desc(incidents.resolvedAt), desc(incidents.id))
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .all();
  // One row read per incident keeps the row-to-record mapping in incidents.ts, the one place it lives.
  return numbers.map(({ id }) => findIncident(db, id)).filter((incident) => incident !== null);
}
