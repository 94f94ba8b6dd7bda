// The reminder timer: a pass at once, no overlapping passes, a clean stop.

import type { WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/connection.js';
import { insertIncident, setIncidentChannel } from '../../src/db/incidents.js';
import { incidents } from '../../src/db/schema.js';
import { DEFAULT_REACTIONS } from '../../src/domain/reactions.js';
import { createLogger } from '../../src/logger.js';
import type { ServiceContext } from '../../src/services/context.js';
import { startReminders } from '../../src/services/reminders.js';
import { Tasks } from '../../src/tasks.js';

const T0 = Date.parse('2026-04-14T14:00:00Z');
const INTERVAL = 60_000;

let database: Database;
let release: () => void;
let postMessage: ReturnType<typeof vi.fn>;
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
  // Slack answers only when the test says so, so a pass can be held open.
  postMessage = vi.fn(
    () =>
      new Promise((resolve) => {
        release = () => resolve({ ok: true, ts: '1776175800.000100' });
      }),
  );
  const logger = createLogger('silent');
  ctx = {
    db: database.db,
    slack: { chat: { postMessage } } as unknown as WebClient,
    config: { updateReminderMinutes: 30 } as Config,
    logger,
    // Ten minutes after declaring: the lead nudge, and only it, is due.
    now: () => T0 + 10 * 60_000,
    reactions: DEFAULT_REACTIONS,
    tasks: new Tasks(logger),
    outbox: { kick: () => undefined },
  };
});

afterEach(() => {
  vi.useRealTimers();
  database.close();
});

function leadRemindedAt(): number | null {
  return database.db.select({ at: incidents.leadRemindedAt }).from(incidents).get()?.at ?? null;
}

describe('startReminders', () => {
  it('runs a pass at once, skips ticks while it is in progress, and stops after it', async () => {
    const stop = startReminders(ctx, { intervalMs: INTERVAL });
    expect(postMessage).toHaveBeenCalledTimes(1);
    expect(postMessage.mock.calls[0]?.[0]).toMatchObject({ channel: 'C1', text: expect.stringContaining('has no lead yet') });

    // Slack is slow: three ticks pass, and none starts a second pass that would post again.
    vi.advanceTimersByTime(3 * INTERVAL);
    expect(postMessage).toHaveBeenCalledTimes(1);
    expect(leadRemindedAt()).toBeNull();

    let stopped = false;
    const stopping = stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(leadRemindedAt()).toBe(T0 + 10 * 60_000);

    vi.advanceTimersByTime(10 * INTERVAL);
    expect(postMessage).toHaveBeenCalledTimes(1);
  });

  it('runs again on the next tick once a pass is done', async () => {
    const stop = startReminders(ctx, { intervalMs: INTERVAL });
    release();
    await vi.waitFor(() => expect(leadRemindedAt()).not.toBeNull());
    // Nothing more is due ten minutes in; move the clock to the update nudge.
    ctx.now = () => T0 + 30 * 60_000;
    vi.advanceTimersByTime(INTERVAL);
    expect(postMessage).toHaveBeenCalledTimes(2);
    expect(postMessage.mock.calls[1]?.[0]).toMatchObject({ text: expect.stringContaining('No status update on INC-1 for 30 minutes') });
    release();
    await stop();
  });
});
