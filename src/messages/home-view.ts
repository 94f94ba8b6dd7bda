// The App Home tab: open incidents, the last few resolved, and a button that
// opens the declare form. Pure: a function of the incidents it is given.

import { clip } from '../domain/clip.js';
import type { HomeView, KnownBlock } from '@slack/types';
import { incidentRef, severityLabel, statusLabel, type Incident } from '../domain/incident.js';
import { escapeMrkdwn } from '../domain/mrkdwn.js';
import { formatDateTime, formatDuration } from '../domain/time.js';

export const HOME_DECLARE_ACTION = 'home_declare_incident';

/** Slack allows 100 blocks in a view; the rest of the open incidents are counted, not shown. */
export const HOME_MAX_OPEN = 40;

const TITLE_ROOM = 150;

export interface HomeContent {
  open: readonly Incident[];
  resolved: readonly Incident[];
  now: number;
}

function title(incident: Incident): string {
  return escapeMrkdwn(clip(incident.title, TITLE_ROOM, '…'));
}

function channel(incident: Incident): string {
  return incident.channelId ? `<#${incident.channelId}>` : '_channel opening…_';
}

function section(text: string): KnownBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function openLine(incident: Incident, now: number): KnownBlock {
  const lead = incident.roles.lead ? `lead <@${incident.roles.lead}>` : '_no lead_';
  const age = formatDuration(Math.max(0, now - incident.declaredAt));
  return section(
    `*${incidentRef(incident.number)}* · ${title(incident)}\n` +
      `${severityLabel(incident.severity)} · ${statusLabel(incident.status)} · ${lead} · open ${age} · ${channel(incident)}`,
  );
}

function resolvedLine(incident: Incident): KnownBlock {
  const when = incident.resolvedAt === null ? '' : ` · resolved ${formatDateTime(incident.resolvedAt, incident.timeZone)}`;
  return section(
    `*${incidentRef(incident.number)}* · ${title(incident)}\n${severityLabel(incident.severity)}${when} · ${channel(incident)}`,
  );
}

export function homeView({ open, resolved, now }: HomeContent): HomeView {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Incidents' } },
    {
      type: 'actions',
      block_id: 'home_actions',
      elements: [
        {
          type: 'button',
          action_id: HOME_DECLARE_ACTION,
          style: 'danger',
          text: { type: 'plain_text', text: 'Declare an incident' },
        },
      ],
    },
    section(open.length > 0 ? `*Open (${open.length})*` : '*Open*\nNo open incidents.'),
    ...open.slice(0, HOME_MAX_OPEN).map((incident) => openLine(incident, now)),
  ];
  if (open.length > HOME_MAX_OPEN) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${open.length - HOME_MAX_OPEN} more. \`/incident list\` shows them all.` }],
    });
  }
  blocks.push(
    { type: 'divider' },
    section(resolved.length > 0 ? '*Recently resolved*' : '*Recently resolved*\nNothing resolved yet.'),
    ...resolved.map(resolvedLine),
  );
  return { type: 'home', blocks };
}
