// Queries for the incident aggregate on PostgreSQL: the incident row and its own
// events. Several replicas may change one incident at once: each change takes the
// incident's row lock first (its UPDATE, or SELECT … FOR UPDATE where it reads what
// it replaces), so changes to one incident run one after the other.

import { and, asc, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Milestone, Role, Severity, StatusPatch } from '../../domain/incident.js';
import type { IncidentEvent } from '../../domain/timeline.js';
import {
  incidentRows,
  MILESTONE_COLUMNS,
  ROLE_COLUMNS,
  STATEMENT_COLUMNS,
  type IncidentRecord,
  type NewIncident,
  type Statement,
} from '../incidents.js';
import type { PgRunner } from './connection.js';
import { incidentEvents, incidents } from './schema.js';

const { toIncident, statusColumns, declaredEvents } = incidentRows;

type IncidentRow = typeof incidents.$inferSelect;

/** Updates one incident row and returns it; a missing incident is a bug in the caller. */
async function updateRow(db: PgRunner, number: number, patch: Partial<typeof incidents.$inferInsert>): Promise<IncidentRow> {
  const [row] = await db.update(incidents).set(patch).where(eq(incidents.id, number)).returning();
  if (!row) throw new Error(`incident ${number} does not exist`);
  return row;
}

async function insertEvent(db: PgRunner, number: number, event: IncidentEvent): Promise<void> {
  const { kind, at, actorId, ...data } = event;
  await db.insert(incidentEvents).values({ incidentId: number, kind, at, actorId, data });
}

/** Names "a declare is being recorded" among advisory locks; the declare key's hash is the second key. */
const DECLARE_LOCK = 0x5172_dec1;

/**
 * Records a declared incident and its "declared" event in one transaction.
 * A declare key seen before returns the incident it made, with `created: false`.
 */
export async function insertIncident(db: PgRunner, fields: NewIncident): Promise<{ incident: IncidentRecord; created: boolean }> {
  return db.transaction(async (tx) => {
    const made = async () => {
      if (!fields.declareKey) return undefined;
      const [row] = await tx.select().from(incidents).where(eq(incidents.declareKey, fields.declareKey));
      return row;
    };
    // Looked up first: an insert that conflicts still uses up a number of the sequence,
    // and a declare delivered again would leave a gap in the incidents' numbers. The same
    // declare reaching two replicas at once is looked up one replica at a time (a lock on
    // the key, held until this transaction ends), so the second finds the first's.
    if (fields.declareKey) await tx.execute(sql`select pg_advisory_xact_lock(${DECLARE_LOCK}, hashtext(${fields.declareKey}))`);
    const earlier = await made();
    if (earlier) return { incident: toIncident(earlier), created: false };
    // The unique key is the last word all the same: a conflict inserts nothing and reads the first's row.
    const [row] = await tx
      .insert(incidents)
      .values({ ...fields, status: 'investigating' })
      .onConflictDoNothing({ target: incidents.declareKey })
      .returning();
    if (!row) {
      const other = await made();
      if (!other) throw new Error(`incident with declare key ${fields.declareKey} conflicts but cannot be read`);
      return { incident: toIncident(other), created: false };
    }
    // One at a time, in order: their ids order the timeline's ties, as on SQLite.
    for (const event of declaredEvents(fields)) await insertEvent(tx, row.id, event);
    return { incident: toIncident(row), created: true };
  });
}

/** The incident as stored, its row locked until the transaction ends (another replica's change waits). */
export async function findIncidentForUpdate(db: PgRunner, number: number): Promise<IncidentRecord | null> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, number)).for('no key update');
  return row ? toIncident(row) : null;
}

export async function findIncident(db: PgRunner, number: number): Promise<IncidentRecord | null> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, number));
  return row ? toIncident(row) : null;
}

export async function findIncidentByChannel(db: PgRunner, channelId: string): Promise<IncidentRecord | null> {
  const [row] = await db.select().from(incidents).where(eq(incidents.channelId, channelId));
  return row ? toIncident(row) : null;
}

export async function listOpenIncidents(db: PgRunner): Promise<IncidentRecord[]> {
  const rows = await db.select().from(incidents).where(ne(incidents.status, 'resolved')).orderBy(desc(incidents.id));
  return rows.map(toIncident);
}

export async function setIncidentChannel(db: PgRunner, number: number, channelId: string, channelName: string): Promise<void> {
  await db.update(incidents).set({ channelId, channelName }).where(and(eq(incidents.id, number), isNull(incidents.channelId)));
}

export async function setSummaryMessage(db: PgRunner, number: number, summaryTs: string): Promise<void> {
  await db.update(incidents).set({ summaryTs }).where(eq(incidents.id, number));
}

/** Stores a status change (domain/incident.ts `applyStatus` works out the patch) and its event. */
export async function saveStatus(
  db: PgRunner,
  number: number,
  patch: StatusPatch,
  event: { message: string | null; actorId: string; at: number },
): Promise<IncidentRecord> {
  return db.transaction(async (tx) => {
    const updated = await updateRow(tx, number, statusColumns(patch));
    await insertEvent(tx, number, { kind: 'status', at: event.at, actorId: event.actorId, status: patch.status, message: event.message });
    return toIncident(updated);
  });
}

/** The event names the severity it replaced: read under the row's lock, so two changes at once each see the other's. */
export async function changeSeverity(
  db: PgRunner,
  number: number,
  change: { to: Severity; actorId: string; at: number },
): Promise<IncidentRecord> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select({ severity: incidents.severity }).from(incidents).where(eq(incidents.id, number)).for('no key update');
    if (!current) throw new Error(`incident ${number} does not exist`);
    const row = await updateRow(tx, number, { severity: change.to });
    await insertEvent(tx, number, { kind: 'severity', at: change.at, actorId: change.actorId, from: current.severity as Severity, to: change.to });
    return toIncident(row);
  });
}

export async function assignRole(
  db: PgRunner,
  number: number,
  change: { role: Role; userId: string; actorId: string; at: number },
): Promise<IncidentRecord> {
  return db.transaction(async (tx) => {
    const row = await updateRow(tx, number, { [ROLE_COLUMNS[change.role]]: change.userId });
    await insertEvent(tx, number, { kind: 'role', at: change.at, actorId: change.actorId, role: change.role, userId: change.userId });
    return toIncident(row);
  });
}

/**
 * Sets a milestone's time. Its timeline entry sits at the milestone's own time,
 * and setting it again moves that entry rather than adding a second. The row's
 * update comes first: a second replica setting the same milestone waits on it,
 * and its delete then sees (and removes) the entry the first one added.
 */
export async function setMilestone(
  db: PgRunner,
  number: number,
  change: { milestone: Milestone; at: number; actorId: string },
): Promise<IncidentRecord> {
  return db.transaction(async (tx) => {
    const row = await updateRow(tx, number, { [MILESTONE_COLUMNS[change.milestone]]: change.at });
    await tx
      .delete(incidentEvents)
      .where(
        and(
          eq(incidentEvents.incidentId, number),
          eq(incidentEvents.kind, 'milestone'),
          sql`${incidentEvents.data} ->> 'milestone' = ${change.milestone}`,
        ),
      );
    await insertEvent(tx, number, { kind: 'milestone', at: change.at, actorId: change.actorId, milestone: change.milestone });
    return toIncident(row);
  });
}

export async function addNote(db: PgRunner, number: number, note: { text: string; at: number; actorId: string }): Promise<void> {
  await insertEvent(db, number, { kind: 'note', ...note });
}

/** Sets the summary or the impact statement, replacing the last, and records the change as an event. */
export async function setStatement(
  db: PgRunner,
  number: number,
  change: { kind: Statement; text: string; actorId: string; at: number },
): Promise<IncidentRecord> {
  return db.transaction(async (tx) => {
    const row = await updateRow(tx, number, { [STATEMENT_COLUMNS[change.kind]]: change.text });
    await insertEvent(tx, number, { kind: change.kind, at: change.at, actorId: change.actorId, text: change.text });
    return toIncident(row);
  });
}

export async function setTimeZone(db: PgRunner, number: number, timeZone: string): Promise<IncidentRecord> {
  return toIncident(await updateRow(db, number, { timeZone }));
}

/**
 * Each kind's own fields in the order incidents.ts writes them, which SQLite's JSON text
 * keeps. jsonb keeps keys sorted by length instead (`{to, from}`), and an export must
 * read the same from either store.
 */
const EVENT_FIELDS = {
  declared: ['title', 'severity'],
  status: ['status', 'message'],
  severity: ['from', 'to'],
  role: ['role', 'userId'],
  milestone: ['milestone'],
  note: ['text'],
  summary: ['text'],
  impact: ['text'],
} as const satisfies { [K in IncidentEvent['kind']]: readonly Exclude<keyof Extract<IncidentEvent, { kind: K }>, 'kind' | 'at' | 'actorId'>[] };

function inWrittenOrder(kind: string, data: Record<string, unknown>): Record<string, unknown> {
  const fields: readonly string[] = Object.hasOwn(EVENT_FIELDS, kind) ? EVENT_FIELDS[kind as IncidentEvent['kind']] : [];
  const known = fields.filter((field) => Object.hasOwn(data, field));
  const rest = Object.keys(data).filter((field) => !known.includes(field));
  return Object.fromEntries([...known, ...rest].map((field) => [field, data[field]]));
}

export async function listEvents(db: PgRunner, number: number): Promise<IncidentEvent[]> {
  const rows = await db
    .select()
    .from(incidentEvents)
    .where(eq(incidentEvents.incidentId, number))
    .orderBy(asc(incidentEvents.at), asc(incidentEvents.id));
  return rows.map((row) => ({ ...inWrittenOrder(row.kind, row.data), kind: row.kind, at: row.at, actorId: row.actorId }) as IncidentEvent);
}
