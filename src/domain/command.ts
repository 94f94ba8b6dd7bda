// `/incident <text>` to a Command, or to a usage error that says what was
// wrong and how to say it right. Pure: times stay as written (a LocalTime) and
// are placed in the incident's zone by the caller.

import {
  DEFAULT_SEVERITY,
  MILESTONES,
  ROLES,
  SEVERITIES,
  STATUSES,
  isMilestone,
  isRole,
  isSeverity,
  isStatus,
  type Milestone,
  type Role,
  type Severity,
  type Status,
} from './incident.js';
import { USER_ID_PATTERN } from './mrkdwn.js';
import type { LocalTime } from './time.js';
import { DEFAULT_REACTIONS, reactionLegend, type ReactionMap } from './reactions.js';
import { ACTION_TYPES, isActionType, type ActionType } from './timeline.js';

export type { LocalTime };


export type Command =
  | { kind: 'help' }
  | { kind: 'declare'; severity: Severity; title: string }
  | { kind: 'declare-modal' }
  | { kind: 'status'; status: Status; message: string | null }
  | { kind: 'update'; message: string }
  | { kind: 'severity'; severity: Severity }
  | { kind: 'role'; role: Role; userId: string }
  | { kind: 'note'; time: LocalTime | null; text: string }
  | { kind: 'timestamp'; milestone: Milestone; time: LocalTime }
  | { kind: 'action'; text: string; ownerId: string | null; type: ActionType | null; ticketUrl: string | null }
  | { kind: 'summary' | 'impact'; text: string }
  | { kind: 'actions' }
  | { kind: 'timezone'; zone: string }
  | { kind: 'resolve'; summary: string | null }
  | { kind: 'postmortem' }
  | { kind: 'list' };

export type CommandKind = Command['kind'];

export type ParseResult = { ok: true; command: Command } | { ok: false; error: string; usage: string };

/** Commands that make sense only inside an incident's channel. */
const CHANNEL_COMMANDS: ReadonlySet<CommandKind> = new Set([
  'status',
  'update',
  'severity',
  'role',
  'note',
  'timestamp',
  'summary',
  'impact',
  'action',
  'actions',
  'timezone',
  'resolve',
  'postmortem',
]);

export function needsIncidentChannel(command: Command): boolean {
  return CHANNEL_COMMANDS.has(command.kind);
}

/** Commands that still make sense once an incident is resolved (re-opening it, the write-up). */
const ALLOWED_WHEN_RESOLVED: ReadonlySet<CommandKind> = new Set([
  'status',
  'resolve',
  'note',
  'timestamp',
  'summary',
  'impact',
  'action',
  'actions',
  'timezone',
  'postmortem',
]);

export function worksOnResolvedIncident(command: Command): boolean {
  return ALLOWED_WHEN_RESOLVED.has(command.kind);
}

export const USAGE: Readonly<Record<string, string>> = {
  declare: '`/incident declare [sev1..sev4] <title>` (or just `/incident declare` for a form)',
  status: `\`/incident status <${STATUSES.join('|')}> [message]\``,
  update: '`/incident update <message>`',
  severity: `\`/incident severity <${SEVERITIES[0]}..${SEVERITIES[SEVERITIES.length - 1]}>\``,
  lead: '`/incident lead @user`',
  role: `\`/incident role <${ROLES.join('|')}> @user\``,
  note: '`/incident note [<time>] <text>` (time as `14:05` or `2024-04-09 06:45`)',
  timestamp: `\`/incident timestamp <${MILESTONES.join('|')}> <time>\` (time as \`14:05\` or \`2024-04-09 06:45\`)`,
  summary: '`/incident summary <text>` (what happened, for the postmortem)',
  impact: '`/incident impact <text>` (who and what was affected, and how badly)',
  action: `\`/incident action [${ACTION_TYPES.join('|')}] <text> [@owner] [<ticket URL>]\``,
  actions: '`/incident actions`',
  timezone: '`/incident timezone <IANA zone>` (for example `Europe/London`)',
  resolve: '`/incident resolve [summary]`',
  postmortem: '`/incident postmortem`',
  list: '`/incident list`',
  help: '`/incident help`',
};

/** Every command and how to say it. */
export const COMMANDS_TEXT = ['*sitrep*: incident commands', ...Object.values(USAGE).map((usage) => `• ${usage}`)].join('\n');

/** `/incident help`: the commands, and which reaction marks what under the configured map. */
export function helpText(reactions: ReactionMap = DEFAULT_REACTIONS): string {
  return `${COMMANDS_TEXT}\nReact to a message in an incident channel to mark it: ${reactionLegend(reactions, ', ')}.`;
}

const MENTION = new RegExp(`^<@(${USER_ID_PATTERN})(?:\\|[^>]*)?>$`);
const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const MAX_ZONE_LENGTH = 64;

/** How much of what someone typed a refusal quotes back. */
const QUOTED_MAX = 40;

/**
 * What someone typed, for quoting inside `code` in a refusal: backticks become
 * quotes so the code span cannot be broken out of, runs of whitespace one space,
 * and anything longer than a few words is cut short, so a refusal stays readable
 * whatever was pasted.
 */
export function quoted(text: string): string {
  const flat = text.replace(/`/g, "'").replace(/\s+/g, ' ');
  const characters = [...flat];
  return characters.length > QUOTED_MAX ? `${characters.slice(0, QUOTED_MAX).join('')}…` : flat;
}

function fail(error: string, usageKey: string): ParseResult {
  return { ok: false, error, usage: USAGE[usageKey] ?? USAGE.help ?? '' };
}

function ok(command: Command): ParseResult {
  return { ok: true, command };
}

/** The first word and the rest, with the rest's inner spacing and line breaks kept. */
function splitWord(text: string): [string, string] {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  return match ? [match[1] ?? '', (match[2] ?? '').trim()] : ['', ''];
}

export function parseMention(word: string): string | null {
  return MENTION.exec(word)?.[1] ?? null;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Reads a time at the start of `text`: `14:05 rest` or `2024-04-09 06:45 rest`.
 * Returns null when the text does not start with something time-shaped.
 */
export function parseLeadingTime(text: string): { time: LocalTime; rest: string } | { error: string } | null {
  const [first, afterFirst] = splitWord(text);
  const dateMatch = DATE.exec(first);
  if (dateMatch) {
    const [clock, rest] = splitWord(afterFirst);
    const clockMatch = CLOCK.exec(clock);
    if (!clockMatch) return { error: `\`${quoted(first)}\` needs a time after it, as in \`${quoted(first)} 06:45\`.` };
    const year = Number(dateMatch[1]);
    const month = Number(dateMatch[2]);
    const day = Number(dateMatch[3]);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return { error: `\`${quoted(first)}\` is not a date on the calendar.` };
    }
    return {
      time: { date: { year, month, day }, hour: Number(clockMatch[1]), minute: Number(clockMatch[2]) },
      rest,
    };
  }
  const clockMatch = CLOCK.exec(first);
  if (clockMatch) {
    return { time: { date: null, hour: Number(clockMatch[1]), minute: Number(clockMatch[2]) }, rest: afterFirst };
  }
  if (/^\d{1,2}:\d{1,2}$|^\d{4}-\d{1,2}-\d{1,2}$/.test(first)) {
    return { error: `\`${quoted(first)}\` is not a time I can read.` };
  }
  return null;
}

function parseDeclare(rest: string): ParseResult {
  if (!rest) return ok({ kind: 'declare-modal' });
  const [first, title] = splitWord(rest);
  const lowered = first.toLowerCase();
  if (isSeverity(lowered)) {
    if (!title) return fail(`A title is needed after \`${quoted(first)}\`.`, 'declare');
    return ok({ kind: 'declare', severity: lowered, title });
  }
  if (/^sev\d+$/i.test(first)) {
    return fail(`\`${quoted(first)}\` is not a severity; use one of ${SEVERITIES.join(', ')}.`, 'declare');
  }
  return ok({ kind: 'declare', severity: DEFAULT_SEVERITY, title: rest });
}

function parseStatus(rest: string): ParseResult {
  const [first, message] = splitWord(rest);
  const status = first.toLowerCase();
  if (!first) return fail('Which status?', 'status');
  if (!isStatus(status)) return fail(`\`${quoted(first)}\` is not a status; use one of ${STATUSES.join(', ')}.`, 'status');
  return ok({ kind: 'status', status, message: message || null });
}

function parseSeverity(rest: string): ParseResult {
  const [first, extra] = splitWord(rest);
  const severity = first.toLowerCase();
  if (!first) return fail('Which severity?', 'severity');
  if (!isSeverity(severity) || extra) {
    return fail(`\`${quoted(rest)}\` is not a severity; use one of ${SEVERITIES.join(', ')}.`, 'severity');
  }
  return ok({ kind: 'severity', severity });
}

function parseRole(role: string, mention: string, usageKey: string): ParseResult {
  if (!isRole(role)) return fail(`\`${quoted(role)}\` is not a role; use one of ${ROLES.join(', ')}.`, usageKey);
  const [word, extra] = splitWord(mention);
  const userId = parseMention(word);
  if (!userId || extra) return fail('Name one person with an @-mention.', usageKey);
  return ok({ kind: 'role', role, userId });
}

function parseNote(rest: string): ParseResult {
  if (!rest) return fail('What should the note say?', 'note');
  const leading = parseLeadingTime(rest);
  if (leading === null) return ok({ kind: 'note', time: null, text: rest });
  if ('error' in leading) return fail(leading.error, 'note');
  if (!leading.rest) return fail('What should the note say after the time?', 'note');
  return ok({ kind: 'note', time: leading.time, text: leading.rest });
}

function parseTimestamp(rest: string): ParseResult {
  const [first, timeText] = splitWord(rest);
  const milestone = first.toLowerCase();
  if (!isMilestone(milestone)) {
    return fail(first ? `\`${quoted(first)}\` is not a milestone; use one of ${MILESTONES.join(', ')}.` : 'Which milestone?', 'timestamp');
  }
  const leading = timeText ? parseLeadingTime(timeText) : null;
  if (leading === null) return fail(`When? Give a time such as \`14:05\` or \`2024-04-09 06:45\`.`, 'timestamp');
  if ('error' in leading) return fail(leading.error, 'timestamp');
  if (leading.rest) return fail(`Only a time goes after \`${milestone}\`.`, 'timestamp');
  return ok({ kind: 'timestamp', milestone, time: leading.time });
}

/**
 * A mention that ends the text, and the text before it. Found from the last `<@`
 * rather than with one regex over the whole text: `^([\s\S]*?)\s*(<@…>)$` takes
 * quadratic time on long runs of whitespace, and this is the slash command's text.
 */
function trailingMention(text: string): { before: string; userId: string } | null {
  const at = text.lastIndexOf('<@');
  const userId = at < 0 ? null : parseMention(text.slice(at));
  return userId ? { before: text.slice(0, at).trim(), userId } : null;
}

/**
 * A ticket link that ends the text: `https://…` as typed, or `<https://…>` /
 * `<https://…|label>` as Slack escapes links in a command's text.
 */
function trailingTicket(text: string): { before: string; url: string } | null {
  const match = /(?:^|\s)(?:<(https?:\/\/[^\s|>]+)(?:\|[^>]*)?>|(https?:\/\/\S+))$/i.exec(text);
  const url = match?.[1] ?? match?.[2];
  return match && url ? { before: text.slice(0, match.index).trim(), url } : null;
}

/** `action [type] <text> [@owner] [<ticket URL>]`: the owner and the ticket may come in either order. */
function parseAction(rest: string): ParseResult {
  const [first, afterType] = splitWord(rest);
  const type = isActionType(first.toLowerCase()) ? (first.toLowerCase() as ActionType) : null;
  let text = type ? afterType : rest;
  let ownerId: string | null = null;
  let ticketUrl: string | null = null;
  for (let round = 0; round < 2; round += 1) {
    const ticket: { before: string; url: string } | null = ticketUrl === null ? trailingTicket(text) : null;
    if (ticket) {
      ticketUrl = ticket.url;
      text = ticket.before;
      continue;
    }
    const owner: { before: string; userId: string } | null = ownerId === null ? trailingMention(text) : null;
    if (owner) {
      ownerId = owner.userId;
      text = owner.before;
    }
  }
  if (!text) return fail('What is the follow-up action?', 'action');
  return ok({ kind: 'action', text, ownerId, type, ticketUrl });
}

function parseNoArguments(kind: 'actions' | 'postmortem' | 'list', rest: string): ParseResult {
  if (rest) return fail(`\`${kind}\` takes nothing after it.`, kind);
  return ok({ kind });
}

/** The longest title `declare` takes: the same as the declare form's. */
export const MAX_TITLE_LENGTH = 150;
/**
 * The longest status update, note, follow-up or resolution summary. Quoted and
 * escaped in the channel and the announcement, it stays well inside the 40,000
 * characters Slack takes in a message.
 */
export const MAX_TEXT_LENGTH = 4000;

const TEXT_NAMES: Partial<Record<CommandKind, string>> = {
  status: 'a status update',
  update: 'an update',
  note: 'a note',
  action: 'a follow-up action',
  summary: 'a summary',
  impact: 'an impact statement',
  resolve: 'a resolution summary',
};

/** The free text a command carries, if any. */
function freeText(command: Command): string | null {
  switch (command.kind) {
    case 'status':
    case 'update':
      return command.message;
    case 'note':
    case 'action':
    case 'summary':
    case 'impact':
      return command.text;
    case 'resolve':
      return command.summary;
    default:
      return null;
  }
}

/** Refuses a command whose title or text is longer than Slack could show. */
function withinLimits(result: ParseResult): ParseResult {
  if (!result.ok) return result;
  const { command } = result;
  const count = (text: string): number => [...text].length;
  if (command.kind === 'declare' && count(command.title) > MAX_TITLE_LENGTH) {
    return fail(
      `That title is ${count(command.title)} characters long; a title can be up to ${MAX_TITLE_LENGTH}. Put the details in the incident channel once it is open.`,
      'declare',
    );
  }
  const text = freeText(command);
  if (text !== null && count(text) > MAX_TEXT_LENGTH) {
    return fail(
      `That is ${count(text)} characters long; ${TEXT_NAMES[command.kind] ?? 'the text'} can be up to ${MAX_TEXT_LENGTH}. Post the details in the channel and mark them with a reaction.`,
      command.kind,
    );
  }
  return result;
}

export function parseCommand(input: string): ParseResult {
  return withinLimits(parseWords(input));
}

function parseWords(input: string): ParseResult {
  const [word, rest] = splitWord(input.trim());
  switch (word.toLowerCase()) {
    case '':
    case 'help':
      return ok({ kind: 'help' });
    case 'declare':
      return parseDeclare(rest);
    case 'status':
      return parseStatus(rest);
    case 'update':
      return rest ? ok({ kind: 'update', message: rest }) : fail('What is the update?', 'update');
    case 'severity':
      return parseSeverity(rest);
    case 'lead':
      return parseRole('lead', rest, 'lead');
    case 'role': {
      const [role, mention] = splitWord(rest);
      return role ? parseRole(role.toLowerCase(), mention, 'role') : fail('Which role?', 'role');
    }
    case 'note':
      return parseNote(rest);
    case 'timestamp':
      return parseTimestamp(rest);
    case 'action':
      return parseAction(rest);
    case 'summary':
      return rest ? ok({ kind: 'summary', text: rest }) : fail('What should the summary say?', 'summary');
    case 'impact':
      return rest ? ok({ kind: 'impact', text: rest }) : fail('Who and what was affected, and how badly?', 'impact');
    case 'timezone': {
      const [zone, extra] = splitWord(rest);
      if (!zone || extra) return fail('Give one IANA zone name.', 'timezone');
      // The longest IANA names are about 30 characters; anything much longer is not one, and is not echoed back whole.
      if (zone.length > MAX_ZONE_LENGTH) return fail(`\`${quoted(zone)}\` is not a time zone I know.`, 'timezone');
      return ok({ kind: 'timezone', zone });
    }
    case 'resolve':
      return ok({ kind: 'resolve', summary: rest || null });
    case 'actions':
    case 'postmortem':
    case 'list':
      return parseNoArguments(word.toLowerCase() as 'actions' | 'postmortem' | 'list', rest);
    default:
      return { ok: false, error: `\`${quoted(word)}\` is not an incident command.`, usage: COMMANDS_TEXT };
  }
}
