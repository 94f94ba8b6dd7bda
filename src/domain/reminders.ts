// Which nudges an open incident is due, decided from what is stored about it
// and the time now. Nothing here remembers anything between calls: the
// bookkeeping lives in the database, so a restart neither repeats a nudge nor
// forgets one that fell due while the bot was down.

import type { Status } from './incident.js';

/** The lead nudge comes once, this long after declaring, if nobody leads by then. */
export const LEAD_REMINDER_MINUTES = 10;

const MINUTE = 60_000;

export interface ReminderState {
  status: Status;
  /** Nudges go to the incident's channel, so there is nothing to do before it exists. */
  hasChannel: boolean;
  hasLead: boolean;
  declaredAt: number;
  /** The latest status update; declaring counts as the first. */
  lastUpdateAt: number;
  /** When the channel was last nudged for an update, if ever. */
  remindedAt: number | null;
  /** When the channel was nudged to name a lead, if ever. */
  leadRemindedAt: number | null;
}

export interface ReminderPolicy {
  updateMinutes: number;
  leadMinutes: number;
}

export type Nudge =
  | { kind: 'lead' }
  /** `silentForMs`: how long since the last update, for the message. */
  | { kind: 'update'; silentForMs: number };

/** The nudges due at `now`, lead first; empty for a resolved incident or one without a channel. */
export function dueNudges(state: ReminderState, now: number, policy: ReminderPolicy): Nudge[] {
  if (state.status === 'resolved' || !state.hasChannel) return [];
  const due: Nudge[] = [];
  if (!state.hasLead && state.leadRemindedAt === null && now - state.declaredAt >= policy.leadMinutes * MINUTE) {
    due.push({ kind: 'lead' });
  }
  // A nudge restarts the wait just as an update does, so an incident left
  // alone is nudged once every interval rather than on every pass.
  const quietSince = Math.max(state.lastUpdateAt, state.remindedAt ?? Number.NEGATIVE_INFINITY);
  if (now - quietSince >= policy.updateMinutes * MINUTE) {
    due.push({ kind: 'update', silentForMs: now - state.lastUpdateAt });
  }
  return due;
}
