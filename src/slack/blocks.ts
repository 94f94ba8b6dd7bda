// What sitrep shows in Slack: message texts and Block Kit layouts. Pure
// functions of their arguments; user text is neutralised so a repost never
// pings a whole channel.

import type { KnownBlock, View } from '@slack/types';
import { SEVERITIES, incidentRef, severityLabel, statusLabel, type Incident } from '../domain/incident.js';
import { escapeMrkdwn, neutralizeBroadcasts } from '../domain/mrkdwn.js';
import { formatDateTime } from '../domain/time.js';

export const DECLARE_VIEW = 'declare_incident';

/** Block and action ids of the declare modal; the submission handler reads them back. */
export const DECLARE_FIELDS = {
  title: 'title',
  severity: 'severity',
  summary: 'summary',
  impact: 'impact',
  private: 'private',
} as const;

function quoted(text: string): string {
  return neutralizeBroadcasts(text);
}

function person(userId: string | undefined): string {
  return userId ? `<@${userId}>` : '_unassigned_';
}

export function incidentHeadline(incident: Incident): string {
  return `${incidentRef(incident.number)}: ${escapeMrkdwn(incident.title)}`;
}

/** The message pinned at the top of an incident channel. */
export function summaryMessage(incident: Incident): { text: string; blocks: KnownBlock[] } {
  const facts = [
    `*Severity:* ${severityLabel(incident.severity)}`,
    `*Status:* ${statusLabel(incident.status)}`,
    `*Lead:* ${person(incident.roles.lead)}`,
    `*Declared:* ${formatDateTime(incident.declaredAt, incident.timeZone)} by <@${incident.declaredBy}>`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `🚨 ${incidentRef(incident.number)}: ${incident.title}`.slice(0, 150) } },
    { type: 'section', fields: facts.map((fact) => ({ type: 'mrkdwn' as const, text: fact })) },
  ];
  if (incident.summary) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Summary:* ${quoted(incident.summary)}` } });
  if (incident.impact) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Impact:* ${quoted(incident.impact)}` } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Everything said here is recorded. Mark what matters with :pushpin: key event · :rotating_light: impact · :mag: investigation · :bulb: cause · :hammer_and_wrench: mitigation · :white_check_mark: resolution · :memo: follow-up. `/incident resolve` when it is over.',
      },
    ],
  });
  return {
    text: `${incidentHeadline(incident)} (${severityLabel(incident.severity)}, ${statusLabel(incident.status)})`,
    blocks,
  };
}

export function announcement(incident: Incident, what: string): string {
  const where = incident.channelId ? ` in <#${incident.channelId}>` : '';
  return `${what} ${incidentHeadline(incident)} (${severityLabel(incident.severity)})${where}`;
}

export function resolvedMessage(incident: Incident, userId: string): string {
  const summary = incident.resolutionSummary ? `\n>${quoted(incident.resolutionSummary).replace(/\n/g, '\n>')}` : '';
  return `:white_check_mark: <@${userId}> resolved ${incidentRef(incident.number)}.${summary}\nThe postmortem draft follows; \`/incident postmortem\` regenerates it.`;
}

export function incidentList(incidents: readonly Incident[], now: number): string {
  if (incidents.length === 0) return 'No open incidents.';
  const lines = incidents.map((incident) => {
    const age = Math.max(0, Math.round((now - incident.declaredAt) / 60_000));
    const ageText = age < 60 ? `${age}m` : `${Math.floor(age / 60)}h ${age % 60}m`;
    const where = incident.channelId ? `<#${incident.channelId}>` : '_opening…_';
    return `• *${incidentRef(incident.number)}* ${escapeMrkdwn(incident.title)} · ${severityLabel(incident.severity)} · ${statusLabel(incident.status)} · lead ${person(incident.roles.lead)} · ${ageText} · ${where}`;
  });
  return [`*Open incidents (${incidents.length})*`, ...lines].join('\n');
}

export function declareModal(originChannelId: string | null): View {
  return {
    type: 'modal',
    callback_id: DECLARE_VIEW,
    private_metadata: JSON.stringify({ originChannelId }),
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: DECLARE_FIELDS.title,
        label: { type: 'plain_text', text: 'Title' },
        element: {
          type: 'plain_text_input',
          action_id: DECLARE_FIELDS.title,
          max_length: 150,
          placeholder: { type: 'plain_text', text: 'Payments API failing' },
        },
      },
      {
        type: 'input',
        block_id: DECLARE_FIELDS.severity,
        label: { type: 'plain_text', text: 'Severity' },
        element: {
          type: 'static_select',
          action_id: DECLARE_FIELDS.severity,
          initial_option: { text: { type: 'plain_text', text: 'SEV3' }, value: 'sev3' },
          options: SEVERITIES.map((severity) => ({
            text: { type: 'plain_text' as const, text: severityLabel(severity) },
            value: severity,
          })),
        },
      },
      {
        type: 'input',
        block_id: DECLARE_FIELDS.summary,
        optional: true,
        label: { type: 'plain_text', text: 'Summary' },
        element: { type: 'plain_text_input', action_id: DECLARE_FIELDS.summary, multiline: true },
      },
      {
        type: 'input',
        block_id: DECLARE_FIELDS.impact,
        optional: true,
        label: { type: 'plain_text', text: 'Impact' },
        element: {
          type: 'plain_text_input',
          action_id: DECLARE_FIELDS.impact,
          multiline: true,
          placeholder: { type: 'plain_text', text: 'Who or what is affected, and how?' },
        },
      },
      {
        type: 'input',
        block_id: DECLARE_FIELDS.private,
        optional: true,
        label: { type: 'plain_text', text: 'Visibility' },
        element: {
          type: 'checkboxes',
          action_id: DECLARE_FIELDS.private,
          options: [
            {
              text: { type: 'plain_text', text: 'Private incident' },
              description: { type: 'plain_text', text: 'A private channel, never announced' },
              value: 'private',
            },
          ],
        },
      },
    ],
  };
}
