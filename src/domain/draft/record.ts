// The record as kept: status updates with the gap since the one before, the
// follow-up actions as a table, the participants, and the whole transcript.

import type { BlockContent, ListItem, PhrasingContent } from 'mdast';
import { incidentRef, ROLES, statusLabel, type Role } from '../incident.js';
import { emphasis, html, inlineCode, link, list, listItem, paragraph, strong, table, text, todo } from '../markdown.js';
import { mrkdwnToMdast, mrkdwnToPhrasing } from '../mrkdwn.js';
import { emojiFor } from '../reactions.js';
import { formatDuration } from '../time.js';
import { ACTION_TYPES, isJoin, type FollowUpAction, type TimelineMessage } from '../timeline.js';
import { authorOf, authorWithNotes, messageBlocks, timeOf, withLead, type DraftContext } from './context.js';
import { statusesBefore } from './timeline.js';

// --- status updates ----------------------------------------------------------------

/** Status-page style: the declaration is the first "Investigating"; a repeat of the same status is an "Update". */
export function statusUpdates(ctx: DraftContext): BlockContent[] {
  const before = statusesBefore(ctx.entries);
  const items: ListItem[] = [];
  let previous: number | null = null;
  for (const entry of ctx.entries) {
    if (entry.kind !== 'event') continue;
    const { event } = entry;
    let label: string;
    let message: string | null;
    if (event.kind === 'declared') {
      label = 'Investigating';
      message = ctx.incident.summary;
    } else if (event.kind === 'status') {
      label = before.get(entry) === event.status ? 'Update' : statusLabel(event.status);
      message = event.message;
    } else continue;
    const gap = previous === null ? '' : ` · ${formatDuration(event.at - previous)} after the previous`;
    previous = event.at;
    const lead = [strong(text(label)), text(` · ${ctx.when(event.at)}${gap}${message?.trim() ? ': ' : ''}`)];
    items.push(listItem(withLead(lead, message?.trim() ? mrkdwnToMdast(message, ctx.names) : [])));
  }
  if (items.length === 0) return [paragraph(...todo('what did we tell people, and when? Post updates with', '/incident status <status> <message>'))];
  return [list(items)];
}

// --- follow-up actions ---------------------------------------------------------------

interface ActionRow {
  at: number;
  text: PhrasingContent[];
  type: PhrasingContent[];
  owner: PhrasingContent[];
  ticket: PhrasingContent[];
  source: PhrasingContent[];
}

/** Actions added with the command, then those marked on messages, each with where it came from. */
export function followUps(ctx: DraftContext): BlockContent[] {
  const typePrompt = (): PhrasingContent[] => todo(ACTION_TYPES.join(', '));
  const ownerPrompt = (): PhrasingContent[] => todo('who?');
  const fromCommands = [...ctx.input.actions]
    .sort((a: FollowUpAction, b: FollowUpAction) => a.createdAt - b.createdAt)
    .map(
      (action): ActionRow => ({
        at: action.createdAt,
        text: [...actionText(ctx, action.text), ...(action.done ? [text(' (done)')] : [])],
        type: action.type ? [text(action.type)] : typePrompt(),
        owner: action.ownerId ? [text(ctx.nameOf(action.ownerId))] : ownerPrompt(),
        ticket: action.ticketUrl ? [link(action.ticketUrl, text(ticketLabel(action.ticketUrl)))] : [text('—')],
        source: [text(action.createdBy ? `/incident action, ${ctx.nameOf(action.createdBy)}` : '/incident action')],
      }),
    );
  const marker = emojiFor('action', ctx.reactions)[0] ?? 'a reaction';
  const fromMarks = ctx.entries.flatMap((entry): ActionRow[] =>
    entry.kind === 'message' && entry.message.categories.includes('action')
      ? [
          {
            at: entry.at,
            text: actionText(ctx, entry.message.text),
            type: typePrompt(),
            owner: ownerPrompt(),
            ticket: [text('—')],
            source: [text(`${marker} on `), timeOf(ctx, `${authorOf(ctx, entry.message)}'s message at ${ctx.when(entry.at)}`, entry.message)],
          },
        ]
      : [],
  );
  const rows = [...fromCommands, ...fromMarks];
  if (rows.length === 0) {
    return [
      paragraph(
        ...todo(
          'what will stop this happening again, or make it smaller next time? Add actions with',
          '/incident action [prevent|detect|mitigate|process] <text> @owner <ticket URL>',
        ),
      ),
    ];
  }
  return [table(['Action', 'Type', 'Owner', 'Ticket', 'Source'], rows.map((row) => [row.text, row.type, row.owner, row.ticket, row.source]))];
}

function actionText(ctx: DraftContext, mrkdwn: string): PhrasingContent[] {
  const phrasing = mrkdwnToPhrasing(mrkdwn, ctx.names, { singleLine: true });
  return phrasing.length > 0 ? phrasing : [emphasis(text('(no text)'))];
}

/** `OPS-123` from a tracker's URL when its last path segment looks like a key, else the host. */
function ticketLabel(url: string): string {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').filter(Boolean).at(-1) ?? '';
    return /^[A-Za-z][A-Za-z0-9_]*-\d+$|^\d+$/.test(last) ? (/^\d+$/.test(last) ? `#${last}` : last) : parsed.host;
  } catch {
    return 'ticket';
  }
}

// --- participants --------------------------------------------------------------------

interface Participant {
  userId: string;
  messages: number;
  commands: number;
  roles: Set<Role | 'declared'>;
  joined: number;
}

/** Everyone who posted, joined or acted, most messages first; roles are every role they held. */
export function participants(ctx: DraftContext): BlockContent[] {
  const people = new Map<string, Participant>();
  const person = (userId: string, at: number): Participant => {
    let found = people.get(userId);
    if (!found) {
      found = { userId, messages: 0, commands: 0, roles: new Set(), joined: at };
      people.set(userId, found);
    }
    found.joined = Math.min(found.joined, at);
    return found;
  };
  const { incident } = ctx;
  person(incident.declaredBy, incident.declaredAt).roles.add('declared');
  for (const message of ctx.input.messages) {
    if (message.deleted || !message.userId) continue;
    // Joining makes someone a participant without having said anything.
    const participant = person(message.userId, message.at);
    if (!isJoin(message)) participant.messages += 1;
  }
  for (const event of ctx.input.events) {
    // A note or milestone sits at the time it is about, often before its author arrived.
    const backdated = event.kind === 'note' || event.kind === 'milestone';
    const actor = backdated ? (people.get(event.actorId) ?? person(event.actorId, Math.max(event.at, incident.declaredAt))) : person(event.actorId, event.at);
    actor.commands += 1;
    if (event.kind === 'role') person(event.userId, event.at).roles.add(event.role);
  }
  for (const action of ctx.input.actions) if (action.createdBy) person(action.createdBy, action.createdAt).commands += 1;
  for (const role of ROLES) {
    const holder = incident.roles[role];
    // A holder not seen otherwise has been a participant since the declaration.
    if (holder) (people.get(holder) ?? person(holder, incident.declaredAt)).roles.add(role);
  }
  const order: ReadonlyArray<Role | 'declared'> = [...ROLES, 'declared'];
  const rows = [...people.values()]
    .sort((a, b) => b.messages - a.messages || a.joined - b.joined || a.userId.localeCompare(b.userId))
    .map((p) => [
      [text(ctx.nameOf(p.userId))],
      [text(ctx.when(p.joined))],
      [text(String(p.messages))],
      [text(String(p.commands))],
      [text(order.filter((role) => p.roles.has(role)).join(', ') || '—')],
    ]);
  return [table(['Person', 'Joined', 'Messages', 'Commands', 'Roles'], rows)];
}

// --- transcript ----------------------------------------------------------------------

/** The most messages the transcript shows; a draft must stay within Slack's file limits. */
export const TRANSCRIPT_LIMIT = 2000;

/**
 * Every message kept, marked or not, in time order, inside a collapsible block
 * (GitHub and GitLab fold `<details>`). The HTML is the draft's own; what people
 * wrote stays Markdown text inside it. markdownlint allows no inline HTML by default,
 * so the block says that this one is meant.
 */
export function transcript(ctx: DraftContext): BlockContent[] {
  const said = ctx.input.messages
    .filter((message) => !message.deleted && !isJoin(message))
    .sort((a, b) => a.at - b.at || a.ts.localeCompare(b.ts));
  if (said.length === 0) return [paragraph(text('Nothing was said in the incident channel.'))];
  const shown = said.slice(0, TRANSCRIPT_LIMIT);
  const left = said.length - shown.length;
  const blocks: BlockContent[] = [
    html('<!-- markdownlint-disable MD033 -->'),
    html(`<details>\n<summary>${said.length} message${said.length === 1 ? '' : 's'}, in time order</summary>`),
    list(shown.map((message) => transcriptItem(ctx, message))),
  ];
  if (left > 0) {
    blocks.push(
      paragraph(
        text(`The first ${shown.length} of ${said.length} messages are shown; ${left} more are left out to keep the draft within Slack's file limits. `),
        inlineCode(`npm run postmortem -- ${incidentRef(ctx.incident.number)} --format json`),
        text(' has them all.'),
      ),
    );
  }
  blocks.push(html('</details>'), html('<!-- markdownlint-enable MD033 -->'));
  return blocks;
}

function transcriptItem(ctx: DraftContext, message: TimelineMessage): ListItem {
  const author = authorWithNotes(ctx, message);
  return listItem(withLead([timeOf(ctx, ctx.when(message.at), message), text(` · ${author}: `)], messageBlocks(ctx, message)));
}
