// Nudging open incidents: a pass over every open incident that posts the
// nudges that are due, and a timer that runs the pass. What is due is derived
// from the database each time (see domain/reminders.ts), and a nudge is
// recorded as soon as Slack has it, so restarts neither repeat nor lose one.

import { listReminderCandidates, markLeadReminded, markUpdateReminded, type ReminderRow } from '../db/reminders.js';
import { LEAD_REMINDER_MINUTES, dueNudges, type Nudge, type ReminderPolicy } from '../domain/reminders.js';
import { nudgeMessage } from '../messages/nudges.js';
import type { ServiceContext } from './context.js';

function policyOf(ctx: ServiceContext): ReminderPolicy {
  return { updateMinutes: ctx.config.updateReminderMinutes, leadMinutes: LEAD_REMINDER_MINUTES };
}

async function postNudge(ctx: ServiceContext, row: ReminderRow, nudge: Nudge, now: number): Promise<void> {
  await ctx.slack.chat.postMessage({ channel: row.channelId, text: nudgeMessage(row.number, nudge) });
  // Recorded after Slack has it, not before: a crash in between repeats one
  // nudge, where recording first could lose the one-off lead nudge for good.
  if (nudge.kind === 'lead') markLeadReminded(ctx.db, row.number, now);
  else markUpdateReminded(ctx.db, row.number, now);
  ctx.logger.info({ incident: row.number, nudge: nudge.kind }, 'nudged an incident channel');
}

/** One pass: posts every due nudge. A nudge that fails is logged and tried again next pass. */
export async function checkReminders(ctx: ServiceContext): Promise<void> {
  const now = ctx.now();
  const policy = policyOf(ctx);
  for (const row of listReminderCandidates(ctx.db)) {
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
      try {
        await postNudge(ctx, row, nudge, now);
      } catch (err) {
        ctx.logger.error({ err, incident: row.number, nudge: nudge.kind }, 'could not nudge an incident channel');
      }
    }
  }
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
