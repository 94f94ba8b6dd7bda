// Queries for the incident aggregate: the incident row and its own events.

import { and, asc, desc, eq, isNull, ne } from 'drizzle-orm';
import type { Incident, Milestone, Role, Severity, Status } from '../domain/incident.js';
import type { IncidentEvent } from '../domain/timeline.js';
import type { Db } from './connection.js';
import { incidentEvents, incidents } from './schema.js';

type IncidentRow = typeof incidents.$inferSelect;

export interface IncidentRecord extends Incident {
  summaryTs: string | null;
  declaredFrom: string | null;
}

const MILESTONE_COLUMNS = {
  'impact-started': 'impactStartedAt',
  detected: 'detectedAt',
  identified: 'identifiedAt',
  mitigated: 'mitigatedAt',
} as const satisfies Record<Milestone, keyof IncidentRow>;

const ROLE_COLUMNS = { lead: 'leadId', comms: 'commsId', scribe: 'scribeId' } as const satisfies Record<
  Role,
  keyof IncidentRow
>;

function toIncident(row: IncidentRow): IncidentRecord {
  const roles: Partial<Record<Role, string>> = {};
  for (const [role, column] of Object.entries(ROLE_COLUMNS) as [Role, keyof IncidentRow][]) {
    const userId = row[column];
    if (typeof userId === 'string') roles[role] = userId;
  }
  const milestones: Partial<Record<Milestone, number>> = {};
  for (const [milestone, column] of Object.entries(MILESTONE_COLUMNS) as [Milestone, keyof IncidentRow][]) {
    const at = row[column];
    if (typeof at === 'number') milestones[milestone] = at;
  }
  return {
    number: row.id,
    title: row.title,
    severity: row.severity as Severity,
    status: row.status as Status,
    summary: row.summary,
    impact: row.impact,
    resolutionSummary: row.resolutionSummary,
    isPrivate: row.isPrivate,
    channelId: row.channelId,
    channelName: row.channelName,
    declaredBy: row.declaredBy,
    roles,
    timeZone: row.timeZone,
    declaredAt: row.declaredAt,
    resolvedAt: row.resolvedAt,
    milestones,
    summaryTs: row.summaryTs,
    declaredFrom: row.declaredFrom,
  };
}

export interface NewIncident {
  title: string;
  severity: Severity;
  summary: string | null;
  impact: string | null;
  isPrivate: boolean;
  declaredBy: string;
  declaredFrom: string | null;
  declareKey: string | null;
  timeZone: string;
  declaredAt: number;
}

/**
 * Records a declared incident and its "declared" event in one transaction.
 * A declare key seen before returns the incident it made, with `created: false`.
 */
export function insertIncident(db: Db, fields: NewIncident): { incident: IncidentRecord; created: boolean } {
  return db.transaction((tx) => {
    if (fields.declareKey) {
      const existing = tx.select().from(incidents).where(eq(incidents.declareKey, fields.declareKey)).get();
      if (existing) return { incident: toIncident(existing), created: false };
    }
    const row = tx
      .insert(incidents)
      .values({ ...fields, status: 'investigating' })
      .returning()
      .get();
    tx.insert(incidentEvents)
      .values({
        incidentId: row.id,
        kind: 'declared',
        at: fields.declaredAt,
        actorId: fields.declaredBy,
        data: { title: fields.title, severity: fields.severity },
      })
      .run();
    return { incident: toIncident(row), created: true };
  });
}

export function findIncident(db: Db, number: number): IncidentRecord | null {
  const row = db.select().from(incidents).where(eq(incidents.id, number)).get();
  return row ? toIncident(row) : null;
}

export function findIncidentByChannel(db: Db, channelId: string): IncidentRecord | null {
  const row = db.select().from(incidents).where(eq(incidents.channelId, channelId)).get();
  return row ? toIncident(row) : null;
}

/** Incidents whose channel was never recorded: a declare that did not finish. */
export function listIncidentsWithoutChannel(db: Db): IncidentRecord[] {
  return db.select().from(incidents).where(isNull(incidents.channelId)).orderBy(asc(incidents.id)).all().map(toIncident);
}

export function listOpenIncidents(db: Db): IncidentRecord[] {
  return db
    .select()
    .from(incidents)
    .where(ne(incidents.status, 'resolved'))
    .orderBy(desc(incidents.id))
    .all()
    .map(toIncident);
}

export function setIncidentChannel(db: Db, number: number, channelId: string, channelName: string): void {
  db.update(incidents).set({ channelId, channelName }).where(and(eq(incidents.id, number), isNull(incidents.channelId))).run();
}

export function setSummaryMessage(db: Db, number: number, summaryTs: string): void {
  db.update(incidents).set({ summaryTs }).where(eq(incidents.id, number)).run();
}

/** Sets the status, records the update as an event, and stamps resolution. One transaction. */
export function changeStatus(
  db: Db,
  number: number,
  change: { status: Status; message: string | null; actorId: string; at: number; resolutionSummary?: string | null },
): IncidentRecord {
  return db.transaction((tx) => {
    const resolved = change.status === 'resolved';
    const patch: Partial<typeof incidents.$inferInsert> = { status: change.status, resolvedAt: resolved ? change.at : null };
    if (resolved && change.resolutionSummary) patch.resolutionSummary = change.resolutionSummary;
    const row = tx.update(incidents).set(patch).where(eq(incidents.id, number)).returning().get();
    if (!row) throw new Error(`incident ${number} does not exist`);
    tx.insert(incidentEvents)
      .values({
        incidentId: number,
        kind: 'status',
        at: change.at,
        actorId: change.actorId,
        data: { status: change.status, message: change.message },
      })
      .run();
    return toIncident(row);
  });
}

export function listEvents(db: Db, number: number): IncidentEvent[] {
  return db
    .select()
    .from(incidentEvents)
    .where(eq(incidentEvents.incidentId, number))
    .orderBy(asc(incidentEvents.at), asc(incidentEvents.id))
    .all()
    .map((row) => ({ ...row.data, kind: row.kind, at: row.at, actorId: row.actorId }) as IncidentEvent);
}
