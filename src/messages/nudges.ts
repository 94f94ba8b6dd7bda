// What the reminder nudges say in an incident channel.

import { incidentRef } from '../domain/incident.js';
import type { Nudge } from '../domain/reminders.js';
import { formatDuration } from '../domain/time.js';

function howLong(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return formatDuration(ms);
}

export function nudgeMessage(number: number, nudge: Nudge): string {
  const ref = incidentRef(number);
  switch (nudge.kind) {
    case 'lead':
      return `:bust_in_silhouette: ${ref} has no lead yet. \`/incident lead @user\` assigns one.`;
    case 'update':
      return `:alarm_clock: No status update on ${ref} for ${howLong(nudge.silentForMs)}. Post one with \`/incident update <message>\` or \`/incident status <status> [message]\`.`;
  }
}
