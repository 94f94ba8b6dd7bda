// Queries for the incident aggregate: the incident row and its own events.

import { and, asc, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Incident, Milestone, Role, Severity, Status, StatusPatch } from '../domain/incident.js';
import type { IncidentEvent } from '../domain/timeline.js';
import type { Db } from './connection.js';
import { perConnection } from './prepared.js';
import { incidentEvents, incidents } from './schema.js';

type IncidentRow = typeof incidents.$inferSelect;

export interface IncidentRecord extends Incident {
  summaryTs: string | null;
  declaredFrom: string | null;
}

export const MILESTONE_COLUMNS = {
  'impact-started': 'impactStartedAt',
  detected: 'detectedAt',
  identified: 'identifiedAt',
  mitigated: 'mitigatedAt',
  recovered: 'recoveredAt',
} as const satisfies Record<Milestone, keyof IncidentRow>;

/** The incident's own words, each set by the declare form or its command; the last one wins. */
export type Statement = 'summary' | 'impact';

export const STATEMENT_COLUMNS = { summary: 'summary', impact: 'impact' } as const satisfies Record<Statement, keyof IncidentRow>;

export const ROLE_COLUMNS = { lead: 'leadId', comms: 'commsId', scribe: 'scribeId' } as const satisfies Record<
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

/** The columns a status change sets. */
function statusColumns(patch: StatusPatch): Partial<typeof incidents.$inferInsert> {
  const row: Partial<typeof incidents.$inferInsert> = { status: patch.status, resolvedAt: patch.resolvedAt };
  if (patch.resolutionSummary !== undefined) row.resolutionSummary = patch.resolutionSummary;
  for (const [milestone, at] of Object.entries(patch.milestones) as [Milestone, number][]) row[MILESTONE_COLUMNS[milestone]] = at;
  return row;
}

/**
 * The row mapping, shared with the PostgreSQL twin (pg/incidents.ts), whose rows have the
 * same columns. An object rather than exported functions: every function this module
 * exports is a query (store.ts).
 */
/** The timeline events a declare records: the declare, and what its form said as the first version of each statement. */
function declaredEvents(fields: NewIncident): IncidentEvent[] {
  const events: IncidentEvent[] = [{ kind: 'declared', at: fields.declaredAt, actorId: fields.declaredBy, title: fields.title, severity: fields.severity }];
  for (const kind of ['summary', 'impact'] as const) {
    const text = fields[kind];
    if (text) events.push({ kind, at: fields.declaredAt, actorId: fields.declaredBy, text });
  }
  return events;
}

export const incidentRows = { toIncident, statusColumns, declaredEvents } as const;

type Updater = Pick<Db, 'update'>;

/** Updates one incident row and returns it; a missing incident is a bug in the caller. */
function updateRow(db: Updater, number: number, patch: Partial<typeof incidents.$inferInsert>): IncidentRow {
  const row = db.update(incidents).set(patch).where(eq(incidents.id, number)).returning().get();
  if (!row) throw new Error(`incident ${number} does not exist`);
  return row;
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
    for (const event of declaredEvents(fields)) insertEvent(tx, row.id, event);
    return { incident: toIncident(row), created: true };
  });
}

/**
 * The incident as stored, held until the transaction ends, for a change that reads
 * what it changes (a status change works on the status it replaces). On SQLite the
 * transaction already holds the one write lock; PostgreSQL locks the row.
 */
export function findIncidentForUpdate(db: Db, number: number): IncidentRecord | null {
  return findIncident(db, number);
}

// Every Slack event asks which incident its channel belongs to, and every outbox job
// which incident it is for: prepared once (see prepared.ts).
const byNumber = perConnection((db) => db.select().from(incidents).where(eq(incidents.id, sql.placeholder('number'))).prepare());
const byChannel = perConnection((db) =>
  db.select().from(incidents).where(eq(incidents.channelId, sql.placeholder('channelId'))).prepare(),
);

export function findIncident(db: Db, number: number): IncidentRecord | null {
  const row = byNumber(db).get({ number });
  return row ? toIncident(row) : null;
}

export function findIncidentByChannel(db: Db, channelId: string): IncidentRecord | null {
  const row = byChannel(db).get({ channelId });
  return row ? toIncident(row) : null;
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

/** Stores a status change (domain/incident.ts `applyStatus` works out the patch) and its event. */
export function saveStatus(
  db: Db,
  number: number,
  patch: StatusPatch,
  event: { message: string | null; actorId: string; at: number },
): IncidentRecord {
  return db.transaction((tx) => {
    const updated = updateRow(tx, number, statusColumns(patch));
    insertEvent(tx, number, { kind: 'status', at: event.at, actorId: event.actorId, status: patch.status, message: event.message });
    return toIncident(updated);
  });
}

export function changeSeverity(db: Db, number: number, change: { to: Severity; actorId: string; at: number }): IncidentRecord {
  return db.transaction((tx) => {
    const current = tx.select().from(incidents).where(eq(incidents.id, number)).get();
    if (!current) throw new Error(`incident ${number} does not exist`);
    const row = updateRow(tx, number, { severity: change.to });
    insertEvent(tx, number, { kind: 'severity', at: change.at, actorId: change.actorId, from: current.severity as Severity, to: change.to });
    return toIncident(row);
  });
}

export function assignRole(db: Db, number: number, change: { role: Role; userId: string; actorId: string; at: number }): IncidentRecord {
  return db.transaction((tx) => {
    const row = updateRow(tx, number, { [ROLE_COLUMNS[change.role]]: change.userId });
    insertEvent(tx, number, { kind: 'role', at: change.at, actorId: change.actorId, role: change.role, userId: change.userId });
    return toIncident(row);
  });
}

/**
 * Sets a milestone's time. Its timeline entry sits at the milestone's own time,
 * and setting it again moves that entry rather than adding a second.
 */
export function setMilestone(db: Db, number: number, change: { milestone: Milestone; at: number; actorId: string }): IncidentRecord {
  return db.transaction((tx) => {
    const row = updateRow(tx, number, { [MILESTONE_COLUMNS[change.milestone]]: change.at });
    const earlier = tx
      .select({ id: incidentEvents.id, data: incidentEvents.data })
      .from(incidentEvents)
      .where(and(eq(incidentEvents.incidentId, number), eq(incidentEvents.kind, 'milestone')))
      .all()
      .filter((event) => event.data.milestone === change.milestone);
    for (const event of earlier) tx.delete(incidentEvents).where(eq(incidentEvents.id, event.id)).run();
    insertEvent(tx, number, { kind: 'milestone', at: change.at, actorId: change.actorId, milestone: change.milestone });
    return toIncident(row);
  });
}

export function addNote(db: Db, number: number, note: { text: string; at: number; actorId: string }): void {
  insertEvent(db, number, { kind: 'note', ...note });
}

/** Sets the summary or the impact statement, replacing the last, and records the change as an event. */
export function setStatement(db: Db, number: number, change: { kind: Statement; text: string; actorId: string; at: number }): IncidentRecord {
  return db.transaction((tx) => {
    const row = updateRow(tx, number, { [STATEMENT_COLUMNS[change.kind]]: change.text });
    insertEvent(tx, number, { kind: change.kind, at: change.at, actorId: change.actorId, text: change.text });
    return toIncident(row);
  });
}

export function setTimeZone(db: Db, number: number, timeZone: string): IncidentRecord {
  return toIncident(updateRow(db, number, { timeZone }));
}

type Writer = Pick<Db, 'insert'>;

function insertEvent(db: Writer, number: number, event: IncidentEvent): void {
  const { kind, at, actorId, ...data } = event;
  db.insert(incidentEvents).values({ incidentId: number, kind, at, actorId, data }).run();
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
