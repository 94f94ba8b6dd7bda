// The postmortem draft: an incident and its timeline as a Markdown syntax tree,
// serialised once at the end. Everything a person wrote enters the tree as node
// values, so no message can break the document's structure. What the record does
// not say is left as a visible `_TODO: …_` prompt, never guessed.

import type { BlockContent, ListItem, PhrasingContent, Root } from 'mdast';
import {
  incidentRef,
  MILESTONE_LABELS,
  ROLES,
  severityLabel,
  statusLabel,
  type Incident,
  type Milestone,
  type Role,
  type Status,
} from './incident.js';
import { CATEGORY_LABELS, DEFAULT_REACTIONS, emojiPhrase, reactionLegend, type Category, type ReactionMap } from './reactions.js';
import { isJoin, type FollowUpAction, type IncidentEvent, type PostmortemInput, type TimelineMessage } from './timeline.js';
import {
  emphasis,
  heading,
  inlineCode,
  list,
  listItem,
  paragraph,
  serializeOwned,
  strong,
  table,
  text,
  todo,
} from './markdown.js';
import { mrkdwnToMdast, mrkdwnToPhrasing, withTokenCache, type Names } from './mrkdwn.js';
import {
  compareSlackTs,
  dayKey,
  formatDateTime,
  formatDayHeading,
  formatDuration,
  formatLocalDateTime,
  formatLocalTime,
  formatTime,
  isValidTimeZone,
  zoneAbbreviation,
} from './time.js';

export interface PostmortemOptions {
  /** IANA zone for every time in the draft; defaults to the incident's own. */
  timeZone?: string;
  /**
   * How long an open incident may go without a status update before sitrep nudges
   * (INCIDENT_UPDATE_REMINDER_MINUTES): longer quiet stretches are pointed out. Default 30 minutes.
   */
  reminderIntervalMs?: number;
}

/** The sections of the draft, in order. */
export const POSTMORTEM_SECTIONS = [
  'Summary',
  'Impact',
  'Timeline',
  'Detection',
  'Root cause',
  'Mitigation and resolution',
  'Status updates',
  'Follow-up actions',
  'Lessons learned',
  'Participants',
] as const;


/** The draft as Markdown (GFM: tables, task lists, strikethrough). */
export function renderPostmortem(input: PostmortemInput, options: PostmortemOptions = {}): string {
  // The tree is this call's own, so it is tidied in place rather than copied.
  return serializeOwned(buildPostmortem(input, options));
}

/** The draft as an mdast tree, for callers that want to add to it or inspect it. */
export function buildPostmortem(input: PostmortemInput, options: PostmortemOptions = {}): Root {
  return withTokenCache(() => buildTree(input, options));
}

function buildTree(input: PostmortemInput, options: PostmortemOptions): Root {
  const zone = options.timeZone ?? input.incident.timeZone;
  if (!isValidTimeZone(zone)) throw new RangeError(`Unknown time zone: ${JSON.stringify(zone)}`);
  const ctx = context(input, zone);
  const { incident } = input;
  const section = (title: (typeof POSTMORTEM_SECTIONS)[number], blocks: BlockContent[]): BlockContent[] => [
    heading(2, text(title)),
    ...blocks,
  ];
  return {
    type: 'root',
    children: [
      heading(1, text(`${incidentRef(incident.number)}: ${oneLine(incident.title)}`)),
      preamble(ctx),
      fieldTable(ctx),
      ...section('Summary', summary(ctx)),
      ...section('Impact', impact(ctx)),
      ...section('Timeline', timeline(ctx)),
      ...section('Detection', quotedMarks(ctx, ['impact'], detectionPrompt)),
      ...section('Root cause', quotedMarks(ctx, ['cause'], rootCausePrompt(ctx.reactions))),
      ...section('Mitigation and resolution', quotedMarks(ctx, ['mitigation', 'resolution'], mitigationPrompt(ctx.reactions))),
      ...section('Status updates', statusUpdates(ctx)),
      ...section('Follow-up actions', followUps(ctx)),
      ...section('Lessons learned', lessons()),
      ...section('Participants', participants(ctx)),
    ],
  };
}

// --- context ----------------------------------------------------------------

interface Context {
  input: PostmortemInput;
  /** Which emoji mark what, so that prompts name the configured ones. */
  reactions: ReactionMap;
  incident: Incident;
  zone: string;
  names: Names;
  /** Marked, undeleted messages and every event, in time order. */
  entries: Entry[];
  /** The local day (dayKey) of each entry, worked out once. */
  dayOf: Map<Entry, string>;
  /** The status in force just before each entry. */
  statusBefore: Map<Entry, Status | null>;
  /** Whether the timeline crosses a local midnight; then times elsewhere carry their date. */
  multiDay: boolean;
  /** A time as shown outside the day-headed timeline. */
  when: (at: number) => string;
  nameOf: (userId: string | null) => string;
}

type Entry =
  | { kind: 'message'; at: number; message: TimelineMessage }
  | { kind: 'event'; at: number; event: IncidentEvent; index: number };

function context(input: PostmortemInput, zone: string): Context {
  const entries = timelineEntries(input);
  const dayOf = new Map(entries.map((entry) => [entry, dayKey(entry.at, zone)]));
  const multiDay = new Set(dayOf.values()).size > 1;
  return {
    input,
    reactions: input.reactions ?? DEFAULT_REACTIONS,
    incident: input.incident,
    zone,
    names: input.names,
    entries,
    dayOf,
    statusBefore: statusesBefore(entries),
    multiDay,
    when: (at) => (multiDay ? formatDateTime(at, zone) : formatTime(at, zone)),
    nameOf: (userId) => displayName(userId, input.names),
  };
}

/** A heading or a table cell is one line; whatever whitespace a title or name has becomes one space. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function displayName(userId: string | null, names: Names): string {
  if (userId === null) return 'unknown';
  const name = Object.hasOwn(names, userId) ? names[userId] : undefined;
  return oneLine(name ?? userId) || userId;
}

function isMarked(message: TimelineMessage): boolean {
  return !message.deleted && !isJoin(message) && message.categories.length > 0;
}

/**
 * Time order whatever order Slack delivered things in. At the same millisecond,
 * events come before messages (the declaration before the first message), the
 * declaration before other events, and messages by their ts.
 */
function timelineEntries(input: PostmortemInput): Entry[] {
  const entries: Entry[] = [
    ...input.events.map((event, index): Entry => ({ kind: 'event', at: event.at, event, index })),
    ...input.messages.filter(isMarked).map((message): Entry => ({ kind: 'message', at: message.at, message })),
  ];
  return entries.sort(compareEntries);
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

// --- header -----------------------------------------------------------------

function preamble(ctx: Context): BlockContent {
  const { incident } = ctx;
  const where = incident.channelName ? `#${incident.channelName}` : 'the incident channel';
  const parts = [
    incident.isPrivate ? 'Private incident. ' : '',
    `Draft postmortem generated by sitrep from ${where}. `,
    `Times are in ${ctx.zone}. `,
    'Prompts marked TODO are for the author: replace them with what only the people involved know',
  ];
  // The full stop sits outside the emphasis: inside, the serialiser would escape it.
  return paragraph(emphasis(text(parts.join(''))), text('.'));
}

interface ImpactWindow {
  start: number;
  end: number | null;
  /** Whether the end is the resolution because no mitigation time was recorded. */
  endIsResolution: boolean;
}

function impactWindow(incident: Incident): ImpactWindow | null {
  const start = incident.milestones['impact-started'];
  if (start === undefined) return null;
  const mitigated = incident.milestones.mitigated;
  if (mitigated !== undefined) return { start, end: mitigated, endIsResolution: false };
  return { start, end: incident.resolvedAt, endIsResolution: incident.resolvedAt !== null };
}

const timestampCommand = (milestone: Milestone): string => `/incident timestamp ${milestone} <time>`;

function fieldTable(ctx: Context): BlockContent {
  const { incident } = ctx;
  const window = impactWindow(incident);
  const lead = incident.roles.lead;
  const rows: Array<[string, PhrasingContent[]]> = [
    ['Severity', [text(severityLabel(incident.severity))]],
    ['Status', [text(statusLabel(incident.status))]],
    ['Lead', lead ? [text(ctx.nameOf(lead))] : [todo('who led the response?', '/incident lead @user')]],
    ['Impact window', window ? [text(windowText(ctx, window))] : impactStartPrompt()],
    ['Declared', [text(`${formatDateTime(incident.declaredAt, ctx.zone)} by ${ctx.nameOf(incident.declaredBy)}`)]],
    ['Resolved', [text(incident.resolvedAt === null ? 'not yet' : formatDateTime(incident.resolvedAt, ctx.zone))]],
    ...(['detected', 'identified', 'mitigated'] as const).map(
      (milestone): [string, PhrasingContent[]] => [
        `Time to ${milestone === 'detected' ? 'detect' : milestone === 'identified' ? 'identify' : 'mitigate'}`,
        sinceImpact(window, incident.milestones[milestone], milestone),
      ],
    ),
    ['Time to resolve', sinceImpact(window, incident.resolvedAt ?? undefined, null)],
  ];
  return table(
    ['Field', 'Value'],
    rows.map(([field, value]) => [[text(field)], value]),
  );
}

function impactStartPrompt(): PhrasingContent[] {
  return [todo('when did impact start?', timestampCommand('impact-started'))];
}

/**
 * Durations are measured from impact start. Without it there is nothing to measure
 * from (the impact window row already asks for it), so the row says "—".
 */
function sinceImpact(
  window: ImpactWindow | null,
  at: number | undefined,
  milestone: Milestone | null,
): PhrasingContent[] {
  if (!window) return [text('—')];
  if (at === undefined) {
    return milestone ? [todo('when?', timestampCommand(milestone))] : [text('— (not resolved yet)')];
  }
  return [text(formatDuration(at - window.start))];
}

/** "16:04 – 16:39 UTC (35m)". */
function windowText(ctx: Context, window: ImpactWindow): string {
  if (window.end === null) return `${formatDateTime(window.start, ctx.zone)} – ongoing`;
  const { from, to } = rangeEnds(ctx, window.start, window.end);
  return `${from} – ${to} (${formatDuration(window.end - window.start)})`;
}

/**
 * Both ends of a range, the zone said once when it is the same at both ends (it is
 * not across a DST change). Dates are included when the range crosses midnight or
 * is not on the day the incident was declared.
 */
function rangeEnds(ctx: Context, start: number, end: number): { from: string; to: string } {
  const { zone, incident } = ctx;
  const day = dayKey(start, zone);
  const withDate = ctx.multiDay || day !== dayKey(end, zone) || day !== dayKey(incident.declaredAt, zone);
  const local = withDate ? formatLocalDateTime : formatLocalTime;
  const startZone = zoneAbbreviation(zone, start);
  const endZone = zoneAbbreviation(zone, end);
  const from = startZone === endZone ? local(start, zone) : `${local(start, zone)} ${startZone}`;
  return { from, to: `${local(end, zone)} ${endZone}` };
}

// --- summary and impact -----------------------------------------------------

function summary(ctx: Context): BlockContent[] {
  const { incident, names } = ctx;
  const blocks: BlockContent[] = [];
  if (incident.summary?.trim()) blocks.push(...mrkdwnToMdast(incident.summary, names));
  else blocks.push(paragraph(todo('what happened, and who noticed? Two or three sentences')));
  if (incident.resolutionSummary?.trim()) {
    const resolution = mrkdwnToMdast(incident.resolutionSummary, names);
    blocks.push(...withLead([strong(text('Resolution:')), text(' ')], resolution));
  } else {
    blocks.push(paragraph(todo('how was it resolved?', '/incident resolve <summary>')));
  }
  return blocks;
}

function impact(ctx: Context): BlockContent[] {
  const { incident, names } = ctx;
  const blocks: BlockContent[] = incident.impact?.trim()
    ? mrkdwnToMdast(incident.impact, names)
    : [paragraph(todo('who and what was affected, and how badly? (customers, requests, errors, money, data)'))];
  const window = impactWindow(incident);
  if (!window) {
    blocks.push(paragraph(todo('when did impact start and end?', timestampCommand('impact-started'))));
  } else if (window.end === null) {
    blocks.push(paragraph(text(`Impact started at ${ctx.when(window.start)} and no end has been recorded.`)));
  } else {
    const duration = formatDuration(window.end - window.start);
    const { from, to } = rangeEnds(ctx, window.start, window.end);
    const sentence = window.endIsResolution
      ? `Impact lasted ${duration}, from ${ctx.when(window.start)} ` +
        `until the incident was resolved at ${ctx.when(window.end)}.`
      : `Impact lasted ${duration}, from ${from} to ${to}.`;
    blocks.push(paragraph(text(sentence)));
  }
  return blocks;
}

/** Puts `lead` at the start of the first paragraph, or in its own paragraph when the text starts otherwise. */
function withLead(lead: PhrasingContent[], blocks: BlockContent[]): BlockContent[] {
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

// --- timeline ---------------------------------------------------------------

function timeline(ctx: Context): BlockContent[] {
  if (ctx.entries.length === 0) {
    return [
      paragraph(
        todo(
          `nothing was marked. React to the messages that mattered (${reactionLegend(ctx.reactions, ', ')}) or add notes with`,
          '/incident note <time> <text>',
        ),
      ),
    ];
  }
  if (!ctx.multiDay) return [list(ctx.entries.map((entry) => entryItem(ctx, entry)))];
  const days: Array<{ key: string; entries: Entry[] }> = [];
  for (const entry of ctx.entries) {
    const key = ctx.dayOf.get(entry) ?? dayKey(entry.at, ctx.zone);
    const last = days.at(-1);
    if (last?.key === key) last.entries.push(entry);
    else days.push({ key, entries: [entry] });
  }
  return days.flatMap(({ entries }) => [
    heading(3, text(formatDayHeading(entries[0]?.at ?? 0, ctx.zone))),
    list(entries.map((entry) => entryItem(ctx, entry))),
  ]);
}

/** Inside the timeline the day is in the heading, so an entry shows only its time. */
function entryItem(ctx: Context, entry: Entry): ListItem {
  const time = strong(text(formatTime(entry.at, ctx.zone)));
  return entry.kind === 'message'
    ? messageItem(ctx, entry.message, time, categoryList(entry.message.categories))
    : listItem(withLead([time, text(' · ')], eventBlocks(ctx, entry.event, ctx.statusBefore.get(entry) ?? null)));
}

function categoryList(categories: readonly Category[]): string {
  return categories.map((category) => CATEGORY_LABELS[category]).join(', ');
}

/** `**16:04 UTC** · Impact · Alice (edited, in thread): text…`; blocks after the first follow in the item. */
function messageItem(ctx: Context, message: TimelineMessage, time: PhrasingContent, label: string | null): ListItem {
  const notes = [message.editedAt !== null ? 'edited' : null, isThreadReply(message) ? 'in thread' : null].filter(
    (note): note is string => note !== null,
  );
  const author = `${authorOf(ctx, message)}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
  const lead = [time, text(` · ${label ? `${label} · ` : ''}${author}: `)];
  return listItem(withLead(lead, messageBlocks(ctx, message)));
}

/** A person by name; a bot or integration by the name Slack shows for it. */
function authorOf(ctx: Context, message: TimelineMessage): string {
  return message.userId === null && message.authorName ? oneLine(message.authorName) || 'unknown' : ctx.nameOf(message.userId);
}

function textBlocks(ctx: Context, mrkdwn: string): BlockContent[] {
  const blocks = mrkdwnToMdast(mrkdwn, ctx.names);
  return blocks.length > 0 ? blocks : [paragraph(emphasis(text('(no text)')))];
}

function messageBlocks(ctx: Context, message: TimelineMessage): BlockContent[] {
  const blocks = mrkdwnToMdast(message.text, ctx.names);
  const files = (message.files ?? []).flatMap((file, index): PhrasingContent[] => [
    text(index === 0 ? 'Shared file: ' : ', '),
    file.url && /^https?:\/\//i.test(file.url)
      ? { type: 'link', url: file.url, children: [text(oneLine(file.name) || 'file')] }
      : text(oneLine(file.name) || 'file'),
  ]);
  if (files.length > 0) blocks.push(paragraph(...files));
  return blocks.length > 0 ? blocks : [paragraph(emphasis(text('(no text)')))];
}

function isThreadReply(message: TimelineMessage): boolean {
  return message.threadTs !== null && message.threadTs !== message.ts;
}

/** The status in force before each entry, to tell a new status from an update at the same one. */
function statusesBefore(entries: readonly Entry[]): Map<Entry, Status | null> {
  const before = new Map<Entry, Status | null>();
  let status: Status | null = null;
  for (const entry of entries) {
    before.set(entry, status);
    if (entry.kind !== 'event') continue;
    if (entry.event.kind === 'declared') status = 'investigating';
    if (entry.event.kind === 'status') status = entry.event.status;
  }
  return before;
}

function eventBlocks(ctx: Context, event: IncidentEvent, before: Status | null): BlockContent[] {
  const actor = ctx.nameOf(event.actorId);
  const assignedBy = (userId: string): string => (userId === event.actorId ? '' : ` (assigned by ${actor})`);
  switch (event.kind) {
    case 'declared':
      return [
        paragraph(text(`Incident declared by ${actor} (${severityLabel(event.severity)}): ${oneLine(event.title)}`)),
      ];
    case 'status': {
      const head =
        before === event.status
          ? `Status update (${statusLabel(event.status)}) by ${actor}`
          : `Status → ${statusLabel(event.status)} by ${actor}`;
      return event.message?.trim()
        ? withLead([text(`${head}: `)], mrkdwnToMdast(event.message, ctx.names))
        : [paragraph(text(head))];
    }
    case 'severity':
      return [
        paragraph(text(`Severity ${severityLabel(event.from)} → ${severityLabel(event.to)} by ${actor}`)),
      ];
    case 'role':
      return [paragraph(text(`${ctx.nameOf(event.userId)} is now ${event.role}${assignedBy(event.userId)}`))];
    case 'milestone':
      return [paragraph(text(`${MILESTONE_LABELS[event.milestone]} (recorded by ${actor})`))];
    case 'note':
      return withLead([text(`Note · ${actor}: `)], textBlocks(ctx, event.text));
    case 'summary':
    case 'impact':
      return withLead([text(`${event.kind === 'summary' ? 'Summary' : 'Impact'} set by ${actor}: `)], textBlocks(ctx, event.text));
  }
}

// --- marked evidence --------------------------------------------------------

const detectionPrompt =
  'how was it detected: an alert, a customer report, someone noticing? ' +
  'How long after impact started, and could we have known sooner?';
const rootCausePrompt = (reactions: ReactionMap): string =>
  'what caused it? Go past the trigger to the conditions that let it happen ' +
  `(mark the message that found it with ${emojiPhrase(['cause'], reactions)})`;
const mitigationPrompt = (reactions: ReactionMap): string =>
  'what stopped the impact, and what restored normal service? ' +
  `(mark those messages with ${emojiPhrase(['mitigation', 'resolution'], reactions)})`;

/** Messages marked with any of `categories`, each quoted under its time and author. */
function quotedMarks(ctx: Context, categories: readonly Category[], prompt: string): BlockContent[] {
  const messages = ctx.entries.flatMap((entry) =>
    entry.kind === 'message' && entry.message.categories.some((c) => categories.includes(c)) ? [entry.message] : [],
  );
  if (messages.length === 0) return [paragraph(todo(prompt))];
  const showLabel = categories.length > 1;
  return [
    list(
      messages.map((message) => {
        const label = showLabel ? `${categoryList(message.categories.filter((c) => categories.includes(c)))} · ` : '';
        const lead = paragraph(strong(text(ctx.when(message.at))), text(` · ${label}${authorOf(ctx, message)}:`));
        return listItem([lead, { type: 'blockquote', children: messageBlocks(ctx, message) }]);
      }),
    ),
  ];
}

// --- status updates ---------------------------------------------------------

/** Status-page style: the declaration is the first "Investigating"; a repeat of the same status is an "Update". */
function statusUpdates(ctx: Context): BlockContent[] {
  const items: ListItem[] = [];
  for (const entry of ctx.entries) {
    if (entry.kind !== 'event') continue;
    const { event } = entry;
    if (event.kind === 'declared') {
      items.push(updateItem(ctx, 'Investigating', event.at, ctx.incident.summary));
    } else if (event.kind === 'status') {
      const label = ctx.statusBefore.get(entry) === event.status ? 'Update' : statusLabel(event.status);
      items.push(updateItem(ctx, label, event.at, event.message));
    }
  }
  if (items.length === 0) {
    const prompt = 'what did we tell people, and when? Post updates with';
    return [paragraph(todo(prompt, '/incident status <status> <message>'))];
  }
  return [list(items)];
}

function updateItem(ctx: Context, label: string, at: number, message: string | null): ListItem {
  const lead = [strong(text(label)), text(` · ${ctx.when(at)}${message?.trim() ? ': ' : ''}`)];
  return listItem(withLead(lead, message?.trim() ? mrkdwnToMdast(message, ctx.names) : []));
}

// --- follow-ups, lessons, participants --------------------------------------

function followUps(ctx: Context): BlockContent[] {
  const owner = (ownerId: string | null): PhrasingContent[] =>
    ownerId ? [text(` — owner: ${ctx.nameOf(ownerId)}`)] : [text(' — owner: '), emphasis(text('TODO'))];
  const fromCommands = [...ctx.input.actions]
    .sort((a: FollowUpAction, b: FollowUpAction) => a.createdAt - b.createdAt)
    .map((action) =>
      listItem([paragraph(...actionText(ctx, action.text), ...owner(action.ownerId))], action.done),
    );
  const fromMarks = ctx.entries.flatMap((entry) =>
    entry.kind === 'message' && entry.message.categories.includes('action')
      ? [
          listItem(
            [
              paragraph(
                ...actionText(ctx, entry.message.text),
                ...owner(null),
                text(` (marked on ${authorOf(ctx, entry.message)}'s message at ${ctx.when(entry.at)})`),
              ),
            ],
            false,
          ),
        ]
      : [],
  );
  const items = [...fromCommands, ...fromMarks];
  if (items.length === 0) {
    return [
      paragraph(
        todo(
          'what will stop this happening again, or make it smaller next time? Add actions with',
          '/incident action <text> @owner',
        ),
      ),
    ];
  }
  return [list(items)];
}

function actionText(ctx: Context, mrkdwn: string): PhrasingContent[] {
  const phrasing = mrkdwnToPhrasing(mrkdwn, ctx.names, { singleLine: true });
  return phrasing.length > 0 ? phrasing : [emphasis(text('(no text)'))];
}

function lessons(): BlockContent[] {
  return [
    list([
      listItem([paragraph(todo('what went well?'))]),
      listItem([paragraph(todo('what went badly?'))]),
      listItem([paragraph(todo('where did we get lucky?'))]),
    ]),
  ];
}

interface Participant {
  userId: string;
  messages: number;
  roles: Set<Role | 'declared'>;
  firstSeen: number;
}

/** Everyone who posted or acted, most messages first; roles are every role they held. */
function participants(ctx: Context): BlockContent[] {
  const people = new Map<string, Participant>();
  const person = (userId: string, at: number): Participant => {
    let found = people.get(userId);
    if (!found) {
      found = { userId, messages: 0, roles: new Set(), firstSeen: at };
      people.set(userId, found);
    }
    found.firstSeen = Math.min(found.firstSeen, at);
    return found;
  };
  const { incident } = ctx;
  person(incident.declaredBy, incident.declaredAt).roles.add('declared');
  for (const role of ROLES) {
    const holder = incident.roles[role];
    if (holder) person(holder, incident.declaredAt).roles.add(role);
  }
  for (const message of ctx.input.messages) {
    if (message.deleted || !message.userId) continue;
    // Joining makes someone a participant without having said anything.
    const participant = person(message.userId, message.at);
    if (!isJoin(message)) participant.messages += 1;
  }
  for (const event of ctx.input.events) {
    person(event.actorId, event.at);
    if (event.kind === 'role') person(event.userId, event.at).roles.add(event.role);
  }
  const order: ReadonlyArray<Role | 'declared'> = [...ROLES, 'declared'];
  const rows = [...people.values()]
    .sort((a, b) => b.messages - a.messages || a.firstSeen - b.firstSeen || a.userId.localeCompare(b.userId))
    .map((p) => [
      [text(ctx.nameOf(p.userId))],
      [text(String(p.messages))],
      [text(order.filter((role) => p.roles.has(role)).join(', ') || '—')],
    ]);
  return [table(['Person', 'Messages', 'Roles'], rows)];
}

