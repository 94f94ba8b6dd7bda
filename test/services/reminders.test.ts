// The reminder timer: a pass at once and on every tick; a due nudge is queued in
// the outbox and marked in one transaction, so later passes never queue it again.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { insertIncident, setIncidentChannel } from '../../src/db/incidents.js';
import { pendingJobs } from '../../src/db/outbox.js';
import { incidents } from '../../src/db/schema.js';
import { sqliteStore } from '../../src/db/sqlite-store.js';
import { DEFAULT_REACTIONS } from '../../src/domain/reactions.js';
import { createLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { startReminders } from '../../src/services/reminders.js';

const T0 = Date.parse('2026-04-14T14:00:00Z');
const INTERVAL = 60_000;

let database: Database;
let kicks: number;
let ctx: ServiceContext;

beforeEach(() => {
  vi.useFakeTimers();
  database = openDatabase(':memory:');
  const { incident } = insertIncident(database.db, {
    title: 'Payments failing',
    severity: 'sev2',
    summary: null,
    impact: null,
    isPrivate: false,
    declaredBy: 'U_ALICE',
    declaredFrom: null,
    declareKey: null,
    timeZone: 'UTC',
    declaredAt: T0,
  });
  setIncidentChannel(database.db, incident.number, 'C1', 'inc-1-payments-failing');
  kicks = 0;
  const store = sqliteStore(database);
  ctx = {
    store,
    db: store.queries,
    config: { updateReminderMinutes: 30 } as Config,
    logger: createLogger('silent'),
    // Ten minutes after declaring: the lead nudge, and only it, is due.
    now: () => T0 + 10 * 60_000,
    reactions: DEFAULT_REACTIONS,
    outbox: { kick: () => (kicks += 1) },
  };
});

afterEach(() => {
  vi.useRealTimers();
  database.close();
});

const leadRemindedAt = (): number | null => database.db.select({ at: incidents.leadRemindedAt }).from(incidents).get()?.at ?? null;
const queuedTexts = (): string[] =>
  pendingJobs(database.db, 100).flatMap((entry) => (entry.job.kind === 'post' ? [entry.job.text] : []));

describe('startReminders', () => {
  it('queues a due nudge once, marks it in the same pass, and wakes the outbox', async () => {
    const stop = startReminders(ctx, { intervalMs: INTERVAL });
    await vi.waitFor(() => expect(leadRemindedAt()).toBe(T0 + 10 * 60_000));
    expect(queuedTexts()).toEqual([expect.stringContaining('has no lead yet')]);
    expect(kicks).toBe(1);

    // Later ticks see it done: nothing is queued twice.
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    expect(queuedTexts()).toHaveLength(1);
    await stop();
  });

  it('queues the next nudge when it falls due', async () => {
    const stop = startReminders(ctx, { intervalMs: INTERVAL });
    await vi.waitFor(() => expect(leadRemindedAt()).not.toBeNull());
    ctx.now = () => T0 + 30 * 60_000;
    await vi.advanceTimersByTimeAsync(INTERVAL);
    await vi.waitFor(() => expect(queuedTexts()).toHaveLength(2));
    expect(queuedTexts()[1]).toContain('No status update on INC-1 for 30 minutes');
    await stop();
  });
});
