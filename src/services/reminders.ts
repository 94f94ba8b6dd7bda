// Nudging open incidents: a pass over every open incident that queues the
// nudges that are due, and a timer that runs the pass. What is due is derived
// from the database each time (see domain/reminders.ts); a due nudge is queued
// in the outbox and marked as sent in one transaction, so however many passes
// (or restarts) see it due, it is posted once, by the outbox, with its retries.

import type { ReminderRow } from '../db/reminders.js';
import { LEAD_REMINDER_MINUTES, dueNudges, type Nudge, type ReminderPolicy } from '../domain/reminders.js';
import { nudgeMessage } from '../messages/nudges.js';
import type { ServiceContext } from './context.js';
import { inTransaction } from './transaction.js';

function policyOf(ctx: ServiceContext): ReminderPolicy {
  return { updateMinutes: ctx.config.updateReminderMinutes, leadMinutes: LEAD_REMINDER_MINUTES };
}

async function queueNudge(ctx: ServiceContext, row: ReminderRow, nudge: Nudge, now: number): Promise<void> {
  const marked = await inTransaction(ctx, async (tx) => {
    // Marked first, and only if nobody marked it since this pass read it (another replica).
    const mine =
      nudge.kind === 'lead'
        ? await tx.db.markLeadReminded(row.number, now, row.leadRemindedAt)
        : await tx.db.markUpdateReminded(row.number, now, row.remindedAt);
    if (mine) await tx.db.enqueue(row.number, { kind: 'post', channel: 'incident', text: nudgeMessage(row.number, nudge) }, now);
    return mine;
  });
  if (marked) ctx.logger.info({ incident: row.number, nudge: nudge.kind }, 'nudged an incident channel');
}

/** One pass: queues every due nudge. */
export async function checkReminders(ctx: ServiceContext): Promise<void> {
  const now = ctx.now();
  const policy = policyOf(ctx);
  for (const row of await ctx.db.listReminderCandidates()) {
    const state = {
      status: row.status,
      hasChannel: row.channelId !== '',
      hasLead: row.leadId !== null,
      declaredAt: row.declaredAt,
      lastUpdateAt: row.lastUpdateAt ?? row.declaredAt,
      remindedAt: row.remindedAt,
      leadRemindedAt: row.leadRemindedAt,
    };
    for (const nudge of dueNudges(state, now, policy)) {
      await queueNudge(ctx, row, nudge, now);
    }
  }
  ctx.logger.debug('reminder pass done');
}

export interface ReminderSchedule {
  /** How often to look for due nudges, in ms. */
  intervalMs: number;
}

/**
 * Runs a pass now (a nudge that fell due while the bot was down goes out at
 * once) and then every `intervalMs`. Returns a function that stops the timer
 * and waits for a pass in progress, so the database can be closed after it.
 */
export function startReminders(ctx: ServiceContext, schedule: ReminderSchedule): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    // A pass held up by a slow Slack must not overlap the next: it would post the same nudge twice.
    if (running) return;
    running = checkReminders(ctx)
      .catch((err: unknown) => ctx.logger.error({ err }, 'reminder pass failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, schedule.intervalMs);
  // The timer alone must not keep the process alive.
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
