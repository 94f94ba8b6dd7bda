// A small, realistic incident for postmortem tests and the example draft.

import type { Incident } from '../../src/domain/incident.js';
import type { FollowUpAction, IncidentEvent, PostmortemInput, TimelineMessage } from '../../src/domain/timeline.js';
import type { Category } from '../../src/domain/reactions.js';

/** 2024-04-09 at hh:mm UTC, in epoch ms. */
export function utc(hh: number, mm: number, ss = 0, day = 9): number {
  return Date.UTC(2024, 3, day, hh, mm, ss);
}

export function message(
  at: number,
  userId: string | null,
  text: string,
  categories: Category[] = [],
  extra: Partial<TimelineMessage> = {},
): TimelineMessage {
  const seconds = Math.floor(at / 1000);
  const ts = `${seconds}.${String((at % 1000) * 1000).padStart(6, '0')}`;
  return { ts, at, userId, text, threadTs: null, editedAt: null, deleted: false, categories, ...extra };
}

export function incident(extra: Partial<Incident> = {}): Incident {
  return {
    number: 42,
    title: 'Checkout API returning 500s',
    severity: 'sev2',
    status: 'resolved',
    summary: 'Checkout requests failed after the *payments* deploy.',
    impact: 'About 40% of checkout attempts failed; card payments only.',
    resolutionSummary: 'Rolled back the deploy; error rate back to baseline.',
    isPrivate: false,
    channelId: 'C042',
    channelName: 'inc-42-checkout-api-returning-500s',
    declaredBy: 'U2',
    roles: { lead: 'U1' },
    timeZone: 'UTC',
    declaredAt: utc(16, 10),
    resolvedAt: utc(17, 2),
    milestones: {
      'impact-started': utc(16, 4, 14),
      detected: utc(16, 8),
      identified: utc(16, 24),
      mitigated: utc(16, 39),
    },
    ...extra,
  };
}

export const NAMES: Readonly<Record<string, string>> = { U1: 'Alice', U2: 'Bob', U3: 'Carol' };

const IDENTIFIED = 'Bad config in the payments deploy.';
const MONITORING = 'Rolled back; watching error rates.';

export function events(): IncidentEvent[] {
  return [
    { kind: 'declared', at: utc(16, 10), actorId: 'U2', title: 'Checkout API returning 500s', severity: 'sev3' },
    { kind: 'role', at: utc(16, 11), actorId: 'U2', role: 'lead', userId: 'U1' },
    { kind: 'severity', at: utc(16, 12), actorId: 'U1', from: 'sev3', to: 'sev2' },
    { kind: 'status', at: utc(16, 25), actorId: 'U1', status: 'identified', message: IDENTIFIED },
    { kind: 'status', at: utc(16, 40), actorId: 'U1', status: 'monitoring', message: MONITORING },
    { kind: 'status', at: utc(17, 2), actorId: 'U1', status: 'resolved', message: null },
  ];
}

const DASHBOARD = 'https://grafana.example.com/d/checkout';

export function messages(): TimelineMessage[] {
  return [
    message(utc(16, 8), null, 'Checkout 5xx rate above 20% for 3 minutes', ['detection'], { subtype: 'bot_message', authorName: 'PagerDuty' }),
    message(utc(16, 9), 'U2', `<!here> checkout error rate at 40%, see <${DASHBOARD}|dashboard>`, ['impact']),
    message(utc(16, 15), 'U3', 'looking at the payments logs', []),
    message(utc(16, 20), 'U3', '`PAYMENTS_TIMEOUT` is `0` in prod &amp; staging is fine', ['cause'], {
      editedAt: utc(16, 21),
    }),
    message(utc(16, 38), 'U1', 'rolling back to v2024.04.08 now', ['mitigation']),
    message(utc(16, 41), 'U3', 'secret pasted here', ['key'], { deleted: true, text: '' }),
    message(utc(16, 45), 'U2', 'we need a config lint in CI', ['action'], { threadTs: '1712678940.000000' }),
  ];
}

export function actions(): FollowUpAction[] {
  return [
    {
      text: 'Alert on checkout error rate above 5%',
      ownerId: 'U3',
      createdAt: utc(17, 5),
      done: false,
      type: 'detect',
      ticketUrl: 'https://tracker.example.com/browse/OPS-12',
      createdBy: 'U1',
    },
  ];
}

export function sampleInput(extra: Partial<PostmortemInput> = {}): PostmortemInput {
  return { incident: incident(), messages: messages(), events: events(), actions: actions(), names: NAMES, ...extra };
}
