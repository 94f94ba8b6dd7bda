// What every section of the draft reads: the record in time order, the derived
// figures, the zone, names, and the small ways a time, a person or a message is
// written, so each section says them the same way.

import type { BlockContent, PhrasingContent } from 'mdast';
import type { Incident } from '../incident.js';
import { emphasis, link, paragraph, strong, text } from '../markdown.js';
import { mrkdwnToMdast, type Names } from '../mrkdwn.js';
import { DEFAULT_REACTIONS, type ReactionMap } from '../reactions.js';
import { compareSlackTs, dayKey, formatDateTime, formatLocalDateTime, formatLocalTime, formatTime, zoneAbbreviation } from '../time.js';
import { isJoin, type IncidentEvent, type PostmortemInput, type TimelineMessage } from '../timeline.js';
import { deriveFigures, type DraftFigures, type DraftMilestone } from './figures.js';

export interface DraftContext {
  input: PostmortemInput;
  incident: Incident;
  figures: DraftFigures;
  /** Which emoji mark what, so that prompts name the configured ones. */
  reactions: ReactionMap;
  zone: string;
  names: Names;
  /** Marked, undeleted messages and every event, in time order. */
  entries: Entry[];
  /** The marked messages by ts (a big incident has many more that are not). */
  marked: ReadonlyMap<string, TimelineMessage>;
  /** The local day (dayKey) of each entry, worked out once. */
  dayOf: ReadonlyMap<Entry, string>;
  /** Whether the record crosses a local midnight; then times outside the timeline carry their date. */
  multiDay: boolean;
  /** A time as shown outside the day-headed timeline. */
  when: (at: number) => string;
  nameOf: (userId: string | null) => string;
  /** The message's Slack permalink, when the workspace and channel are known. */
  permalink: (message: TimelineMessage) => string | null;
}

export type Entry =
  | { kind: 'message'; at: number; message: TimelineMessage; /** Milestones recorded by its author in the same minute. */ milestones: DraftMilestone[] }
  | { kind: 'event'; at: number; event: IncidentEvent; index: number };

export function draftContext(input: PostmortemInput, zone: string, reminderIntervalMs: number | undefined): DraftContext {
  const entries = timelineEntries(input);
  const dayOf = new Map(entries.map((entry) => [entry, dayKey(entry.at, zone)]));
  const days = new Set(dayOf.values());
  days.add(dayKey(input.incident.declaredAt, zone));
  if (input.incident.resolvedAt !== null) days.add(dayKey(input.incident.resolvedAt, zone));
  const multiDay = days.size > 1;
  const base = permalinkBase(input);
  return {
    input,
    incident: input.incident,
    figures: deriveFigures(input, reminderIntervalMs),
    reactions: input.reactions ?? DEFAULT_REACTIONS,
    zone,
    names: input.names,
    entries,
    marked: new Map(entries.flatMap((entry) => (entry.kind === 'message' ? [[entry.message.ts, entry.message] as const] : []))),
    dayOf,
    multiDay,
    when: (at) => (multiDay ? formatDateTime(at, zone) : formatTime(at, zone)),
    nameOf: (userId) => displayName(userId, input.names),
    permalink: (message) => (base === null ? null : permalinkOf(base, message)),
  };
}

// --- the record in time order ----------------------------------------------------

export function isMarked(message: TimelineMessage): boolean {
  return !message.deleted && !isJoin(message) && message.categories.length > 0;
}

const MINUTE = 60_000;

/**
 * Time order whatever order Slack delivered things in. At the same millisecond,
 * events come before messages (the declaration before the first message), the
 * declaration before other events, and messages by their ts. A milestone someone
 * recorded in the same minute as a message of theirs that is marked is said once,
 * on the message.
 */
function timelineEntries(input: PostmortemInput): Entry[] {
  const messages = input.messages.filter(isMarked).map((message): Entry & { kind: 'message' } => ({ kind: 'message', at: message.at, message, milestones: [] }));
  const byMinuteAndAuthor = new Map<string, Entry & { kind: 'message' }>();
  for (const entry of messages) {
    const key = `${Math.floor(entry.at / MINUTE)} ${entry.message.userId ?? ''}`;
    if (!byMinuteAndAuthor.has(key)) byMinuteAndAuthor.set(key, entry);
  }
  const events: Entry[] = [];
  const { declaredAt, declaredBy } = input.incident;
  input.events.forEach((event, index) => {
    // The declare form's summary and impact are part of the declaration, not moments of their own.
    if ((event.kind === 'summary' || event.kind === 'impact') && event.actorId === declaredBy && Math.abs(event.at - declaredAt) < MINUTE) return;
    if (event.kind === 'milestone') {
      const twin = byMinuteAndAuthor.get(`${Math.floor(event.at / MINUTE)} ${event.actorId}`);
      if (twin) {
        twin.milestones.push(event.milestone);
        return;
      }
    }
    events.push({ kind: 'event', at: event.at, event, index });
  });
  return [...events, ...messages].sort(compareEntries);
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.at !== b.at) return a.at - b.at;
  if (a.kind === 'event' && b.kind === 'event') {
    const declared = Number(b.event.kind === 'declared') - Number(a.event.kind === 'declared');
    return declared !== 0 ? declared : a.index - b.index;
  }
  if (a.kind === 'message' && b.kind === 'message') return compareSlackTs(a.message.ts, b.message.ts);
  return a.kind === 'event' ? -1 : 1;
}

// --- people and words --------------------------------------------------------------

/** A heading or a table cell is one line; whatever whitespace a title or name has becomes one space. */
export function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function displayName(userId: string | null, names: Names): string {
  if (userId === null) return 'unknown';
  const name = Object.hasOwn(names, userId) ? names[userId] : undefined;
  return oneLine(name ?? userId) || userId;
}

/** A person by name; a bot or integration by the name Slack shows for it. */
export function authorOf(ctx: DraftContext, message: TimelineMessage): string {
  return message.userId === null && message.authorName ? oneLine(message.authorName) || 'unknown' : ctx.nameOf(message.userId);
}

/** A message's text (and files) as Markdown blocks. */
export function messageBlocks(ctx: DraftContext, message: TimelineMessage): BlockContent[] {
  const blocks = mrkdwnToMdast(message.text, ctx.names);
  const files = (message.files ?? []).flatMap((file, index): PhrasingContent[] => [
    text(index === 0 ? 'Shared file: ' : ', '),
    file.url && /^https?:\/\//i.test(file.url) ? link(file.url, text(oneLine(file.name) || 'file')) : text(oneLine(file.name) || 'file'),
  ]);
  if (files.length > 0) blocks.push(paragraph(...files));
  return blocks.length > 0 ? blocks : [paragraph(emphasis(text('(no text)')))];
}

export function textBlocks(ctx: DraftContext, mrkdwn: string): BlockContent[] {
  const blocks = mrkdwnToMdast(mrkdwn, ctx.names);
  return blocks.length > 0 ? blocks : [paragraph(emphasis(text('(no text)')))];
}

/**
 * What someone wrote, shown as a paragraph of its own (the summary, the impact
 * statement). A first paragraph that is all bold or italic would read to Markdown
 * linters as a heading written with emphasis (MD036): that one gets `label` in front.
 */
export function standalone(blocks: BlockContent[], label: string): BlockContent[] {
  const [first] = blocks;
  const emphasisOnly =
    first?.type === 'paragraph' && first.children.length === 1 && (first.children[0]?.type === 'strong' || first.children[0]?.type === 'emphasis');
  return emphasisOnly ? withLead([strong(text(label)), text(' ')], blocks) : blocks;
}

/** Puts `lead` at the start of the first paragraph, or in its own paragraph when the text starts otherwise. */
export function withLead(lead: PhrasingContent[], blocks: BlockContent[]): BlockContent[] {
  const [first, ...rest] = blocks;
  if (first?.type === 'paragraph') return [paragraph(...lead, ...first.children), ...rest];
  return [paragraph(...trimTrailingSpace(lead)), ...blocks];
}

/** A lead that ends its paragraph must not end in a space (the serialiser would spell it `&#x20;`). */
function trimTrailingSpace(nodes: PhrasingContent[]): PhrasingContent[] {
  const last = nodes.at(-1);
  if (last?.type !== 'text') return nodes;
  const value = last.value.trimEnd();
  return value ? [...nodes.slice(0, -1), text(value)] : nodes.slice(0, -1);
}

/** `Alice (edited, in thread)`: the author, and what sets the message apart from a plain post. */
export function authorWithNotes(ctx: DraftContext, message: TimelineMessage): string {
  const notes = [message.editedAt !== null ? 'edited' : null, isThreadReply(message) ? 'in thread' : null].filter((note): note is string => note !== null);
  return `${authorOf(ctx, message)}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

export function isThreadReply(message: TimelineMessage): boolean {
  return message.threadTs !== null && message.threadTs !== message.ts;
}

/** A bold time, linked to the message it belongs to when its permalink is known. */
export function timeOf(ctx: DraftContext, label: string, message: TimelineMessage | null): PhrasingContent {
  const time = strong(text(label));
  const url = message ? ctx.permalink(message) : null;
  return url ? link(url, time) : time;
}

// --- ranges --------------------------------------------------------------------------

/**
 * Both ends of a range, the zone said once when it is the same at both ends (it is
 * not across a DST change). Dates are included when the record spans days or the
 * range is not on the day the incident was declared.
 */
export function rangeEnds(ctx: DraftContext, start: number, end: number, zone = ctx.zone): { from: string; to: string } {
  const day = dayKey(start, zone);
  const withDate = ctx.multiDay || day !== dayKey(end, zone) || day !== dayKey(ctx.incident.declaredAt, zone);
  const local = withDate ? formatLocalDateTime : formatLocalTime;
  const startZone = zoneAbbreviation(zone, start);
  const endZone = zoneAbbreviation(zone, end);
  const from = startZone === endZone ? local(start, zone) : `${local(start, zone)} ${startZone}`;
  return { from, to: `${local(end, zone)} ${endZone}` };
}

/** "16:04 – 16:39 UTC". */
export function rangeText(ctx: DraftContext, start: number, end: number, zone = ctx.zone): string {
  const { from, to } = rangeEnds(ctx, start, end, zone);
  return `${from} – ${to}`;
}

// --- permalinks ----------------------------------------------------------------------

/** `https://acme.slack.com/archives/C123/`, or null when either part is unknown or odd. */
function permalinkBase(input: PostmortemInput): string | null {
  const { workspaceUrl } = input;
  const channel = input.incident.channelId;
  if (!workspaceUrl || !channel || !/^[A-Z0-9]+$/.test(channel)) return null;
  let url: URL;
  try {
    url = new URL(workspaceUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return `${url.origin}/archives/${channel}/`;
}

/** Slack's permalink form: the ts without its dot; a reply names its thread. */
function permalinkOf(base: string, message: TimelineMessage): string | null {
  if (!/^\d+\.\d+$/.test(message.ts)) return null;
  const link = `${base}p${message.ts.replace('.', '')}`;
  if (!isThreadReply(message) || !message.threadTs || !/^\d+\.\d+$/.test(message.threadTs)) return link;
  const channel = base.split('/').at(-2) ?? '';
  return `${link}?thread_ts=${message.threadTs}&cid=${channel}`;
}
