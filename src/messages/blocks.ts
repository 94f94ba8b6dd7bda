// What sitrep shows in Slack: message texts and Block Kit layouts. Pure
// functions of their arguments; user text is neutralised so a repost never
// pings a whole channel.

import { clip } from '../domain/clip.js';
import { reactionLegend, type ReactionMap } from '../domain/reactions.js';
import type { KnownBlock, View } from '@slack/types';
import {
  SEVERITIES,
  incidentRef,
  severityLabel,
  statusLabel,
  type Incident,
  type Role,
  type Severity,
  type Status,
} from '../domain/incident.js';
import { escapeMrkdwn, forRepost } from '../domain/mrkdwn.js';
import type { ActionType } from '../domain/timeline.js';
import { USAGE } from '../domain/command.js';
import { dayKey, formatDateTime, formatDuration, formatTime } from '../domain/time.js';

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
  return forRepost(text);
}

/** Slack refuses a header over 150 characters. */
const HEADER_LIMIT = 150;

/** Slack refuses a section over 3,000 characters; the whole text is in the draft anyway. */
const SECTION_LIMIT = 3000;

/** Cuts mrkdwn to Slack's limit without splitting a character or an entity such as `&amp;`. */
function clipSection(mrkdwn: string): string {
  if (mrkdwn.length <= SECTION_LIMIT) return mrkdwn;
  const cut = clip(mrkdwn, SECTION_LIMIT - 1).replace(/&[a-z]{0,4}$/, '').replace(/<[^>]*$/, '');
  return `${cut}…`;
}

function person(userId: string | undefined): string {
  return userId ? `<@${userId}>` : '_unassigned_';
}

export function incidentHeadline(incident: Incident): string {
  return `${incidentRef(incident.number)}: ${escapeMrkdwn(incident.title)}`;
}

/** The message pinned at the top of an incident channel. */
export function summaryMessage(incident: Incident, reactions: ReactionMap): { text: string; blocks: KnownBlock[] } {
  const facts = [
    `*Severity:* ${severityLabel(incident.severity)}`,
    `*Status:* ${statusLabel(incident.status)}`,
    `*Lead:* ${person(incident.roles.lead)}`,
    `*Declared:* ${formatDateTime(incident.declaredAt, incident.timeZone)} by <@${incident.declaredBy}>`,
  ];
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`🚨 ${incidentRef(incident.number)}: ${incident.title}`, HEADER_LIMIT, '…') } },
    { type: 'section', fields: facts.map((fact) => ({ type: 'mrkdwn' as const, text: fact })) },
  ];
  if (incident.summary) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clipSection(`*Summary:* ${quoted(incident.summary)}`) } });
  if (incident.impact) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clipSection(`*Impact:* ${quoted(incident.impact)}`) } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Everything said here is recorded. Mark what matters with ${reactionLegend(reactions)}. \`/incident resolve\` when it is over.`,
      },
    ],
  });
  return {
    text: `${incidentHeadline(incident)} (${severityLabel(incident.severity)}, ${statusLabel(incident.status)})`,
    blocks,
  };
}

const STATUS_EMOJI: Readonly<Record<Status, string>> = {
  investigating: ':mag:',
  identified: ':bulb:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
};

function quote(text: string): string {
  return `>${quoted(text).replace(/\n/g, '\n>')}`;
}

/** A line for the announcement channel, linking to the incident's channel. */
export function announcement(incident: Incident, what: string, message?: string | null): string {
  const where = incident.channelId ? ` in <#${incident.channelId}>` : '';
  const head = `${what} ${incidentHeadline(incident)} (${severityLabel(incident.severity)})${where}`;
  return message ? `${head}\n${quote(message)}` : head;
}

/** What a status change says, in the channel and (as `statusHeadline`) in announcements. */
export function statusHeadline(status: Status, isUpdate: boolean): string {
  return `${STATUS_EMOJI[status]} ${isUpdate ? `Update (${statusLabel(status)})` : statusLabel(status)}`;
}

export function statusUpdateMessage(
  incident: Incident,
  update: { status: Status; message: string | null; userId: string },
  isUpdate: boolean,
): string {
  if (update.status === 'resolved' && !isUpdate) {
    const summary = update.message ? `\n${quote(update.message)}` : '';
    return `:white_check_mark: <@${update.userId}> resolved ${incidentRef(incident.number)}.${summary}\nThe postmortem draft follows; \`/incident postmortem\` regenerates it.`;
  }
  const message = update.message ? `\n${quote(update.message)}` : '';
  return `*${statusHeadline(update.status, isUpdate)}* · status update from <@${update.userId}>${message}`;
}

export function severityMessage(from: Severity, to: Severity, userId: string): string {
  return `:rotating_light: <@${userId}> changed the severity from ${severityLabel(from)} to *${severityLabel(to)}*.`;
}

export function roleMessage(role: Role, userId: string, actorId: string): string {
  return `:bust_in_silhouette: <@${userId}> is now the incident's ${role}${actorId === userId ? '' : ` (assigned by <@${actorId}>)`}.`;
}

export function noteMessage(at: number, zone: string, text: string, userId: string, now: number): string {
  const when = dayKey(at, zone) === dayKey(now, zone) ? formatTime(at, zone) : formatDateTime(at, zone);
  return `:pushpin: Note at ${when} from <@${userId}>:\n${quote(text)}`;
}

export function milestoneMessage(label: string, at: number, zone: string, userId: string): string {
  return `:stopwatch: <@${userId}> set *${label}* to ${formatDateTime(at, zone)}.`;
}

export function timeZoneMessage(zone: string, at: number, userId: string): string {
  return `:globe_with_meridians: <@${userId}> set this incident's times to ${zone} (now ${formatTime(at, zone)}).`;
}

const STATEMENT_WORDS: Readonly<Record<'summary' | 'impact', { emoji: string; name: string }>> = {
  summary: { emoji: ':page_facing_up:', name: 'summary' },
  impact: { emoji: ':chart_with_downwards_trend:', name: 'impact statement' },
};

/** `/incident summary` and `/incident impact`, told to the channel. */
export function statementMessage(kind: 'summary' | 'impact', text: string, userId: string): string {
  const { emoji, name } = STATEMENT_WORDS[kind];
  return `${emoji} <@${userId}> set the ${name}:\n${quote(text)}`;
}

/** The answer to whoever set it: nothing while the incident is open (the channel is told), a hint once it is resolved. */
export function statementReply(kind: 'summary' | 'impact', incident: Incident): string {
  if (incident.status !== 'resolved') return '';
  return `The ${STATEMENT_WORDS[kind].name} of ${incidentRef(incident.number)} is set. \`/incident postmortem\` posts the draft again with it.`;
}

/** A link Slack shows as the address itself: entities encoded, and `|` (which would start a label) percent-encoded. */
function linkTo(url: string): string {
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}>`;
}

interface ActionFacts {
  text: string;
  ownerId: string | null;
  type?: ActionType | null;
  ticketUrl?: string | null;
}

export function actionAddedMessage(action: ActionFacts, userId: string): string {
  const type = action.type ? ` (${action.type})` : '';
  const owner = action.ownerId ? `, owner <@${action.ownerId}>` : '';
  const ticket = action.ticketUrl ? `, ticket ${linkTo(action.ticketUrl)}` : '';
  return `:memo: Follow-up added by <@${userId}>${type}${owner}${ticket}:\n${quote(action.text)}`;
}

function actionLine(action: ActionFacts & { done: boolean }): string {
  const owner = action.ownerId ? ` · <@${action.ownerId}>` : ' · _no owner_';
  const type = action.type ? ` · _${action.type}_` : '';
  const ticket = action.ticketUrl ? ` · ticket ${linkTo(action.ticketUrl)}` : '';
  return `${action.done ? ':ballot_box_with_check:' : ':white_square:'} ${quoted(action.text)}${owner}${type}${ticket}`;
}

/** The follow-up actions, from `/incident action` and from :memo: marks. */
export function actionList(
  incident: Incident,
  actions: ReadonlyArray<ActionFacts & { done: boolean }>,
  marked: ReadonlyArray<{ text: string; userId: string | null }>,
): string {
  const lines = [
    ...actions.map(actionLine),
    ...marked.map((message) => `:white_square: ${quoted(message.text)} · _no owner (marked with :memo:${message.userId ? ` on <@${message.userId}>'s message` : ''})_`),
  ];
  if (lines.length === 0) {
    return `${incidentRef(incident.number)} has no follow-up actions yet. Add one with ${USAGE.action} or react :memo: to a message.`;
  }
  return [`*Follow-up actions for ${incidentRef(incident.number)} (${lines.length})*`, ...lines].join('\n');
}

export function incidentList(incidents: readonly Incident[], now: number): string {
  if (incidents.length === 0) return 'No open incidents.';
  const lines = incidents.map((incident) => {
    const age = formatDuration(Math.max(0, now - incident.declaredAt));
    const where = incident.channelId ? `<#${incident.channelId}>` : '_opening…_';
    return `• *${incidentRef(incident.number)}* ${escapeMrkdwn(incident.title)} · ${severityLabel(incident.severity)} · ${statusLabel(incident.status)} · lead ${person(incident.roles.lead)} · ${age} · ${where}`;
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
