// Incident scripts: a whole incident told step by step in a JSON file, and the
// replay that plays it through the real app on the Slack simulator. The demo
// plays one; the end-to-end fixtures play the reference postmortems' incidents.
//
// A script is read in its own zone: `"16:04"` is that wall-clock time on the
// day of the step before (times only go forward; write `"2024-04-10 00:15"` to
// cross midnight). A step without `at` follows the one before; steps in the same
// minute happen a second apart, so the record keeps the order they are written in.
// People are the script's own (`id` defaults to U_<NAME>); `$comment` is allowed
// at the top and in any step.
//
// The replay drives the app exactly as Slack would: signed slash commands, form
// submissions, message and reaction events, edits and deletes, with one
// script-controlled clock for Slack's timestamps and the bot's. Between steps
// the clock moves a minute at a time while the incident is open, with a reminder
// pass each minute, so the bot's nudges go out when they fall due. The replay
// waits for the bot's background work (and for what it waits on, in the
// simulated workspace), never for time to pass. A command sitrep refuses stops
// the replay with an error naming the step.
//
//   {
//     "about": "a payments incident",
//     "timeZone": "America/New_York",
//     "start": "2026-04-14 10:02",
//     "opsChannel": "payments-oncall",
//     "people": [{ "name": "alice", "realName": "Alice Example" }, { "name": "bob", "realName": "Bob Example" }],
//     "steps": [
//       { "at": "10:02", "by": "alice", "command": "declare sev2 Payments API failing" },
//       { "at": "10:03", "by": "bob", "say": "5xx at 23%", "id": "page", "marks": [["rotating_light", "alice"]] },
//       { "at": "10:04", "by": "alice", "command": "lead @alice" },
//       { "at": "10:36", "by": "alice", "command": "resolve Rolled back deploy 4821." }
//     ]
//   }
//
// Steps (each has exactly one of these keys):
//   command  `/incident` text, typed by `by`; in the ops channel for `declare`, else in the
//            incident's channel (`"in": "ops"` or `"in": "incident"` to choose). `@name`
//            becomes the mention Slack sends (`<@U_NAME|name>`).
//   declare  the declare form filled in by `by`: { title, severity?, summary?, impact?, private? }
//   say      a message from `by`; `id` names it for later steps, `thread` replies under an
//            earlier one, `marks` are reactions: [["rotating_light", "alice"], …]
//   react / unreact   `by` adds or removes an emoji (`react`) on the message `to`
//   edit     its author (`by` is optional) edits the message named by `edit` to `text`
//   delete   its author (`by` is optional) deletes the message named by `delete`

import type { CommandOutcome } from '../src/listeners/commands/index.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { z } from 'zod';
import { needsIncidentChannel, parseCommand, type LocalTime } from '../src/domain/command.js';
import { SEVERITIES, severityLabel, type Severity } from '../src/domain/incident.js';
import { decodeEntities, escapeMrkdwn } from '../src/domain/mrkdwn.js';
import { canonicalTimeZone, dayKey, formatDateTime, placeLocalTime } from '../src/domain/time.js';
import { createLogger, type Logger } from '../src/logger.js';
import { DECLARE_FIELDS, DECLARE_VIEW } from '../src/messages/blocks.js';
import type { SimChannel, SimMessage } from './simulator/workspace.js';
import { startSandbox, type Sandbox } from './sandbox.js';

// ---- the script -------------------------------------------------------------

export const STEP_KINDS = ['command', 'declare', 'say', 'react', 'unreact', 'edit', 'delete'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface ScriptPerson {
  id: string;
  name: string;
  realName: string;
  tz: string;
}

/** Where a step happens: the channel the incident was declared from, or the incident's own. */
export type StepChannel = 'ops' | 'incident';

interface StepBase {
  /** 1-based, as error messages count. */
  number: number;
  /** The instant, epoch ms. */
  at: number;
  /** For messages about the step: `step 4 (16:09, say)`. */
  label: string;
}

export type ScriptStep = StepBase &
  (
    | { kind: 'command'; by: ScriptPerson; channel: StepChannel; text: string; commandKind: string }
    | {
        kind: 'declare';
        by: ScriptPerson;
        title: string;
        severity: Severity;
        summary: string | null;
        impact: string | null;
        isPrivate: boolean;
      }
    | {
        kind: 'say';
        by: ScriptPerson;
        channel: StepChannel;
        text: string;
        id: string | null;
        thread: string | null;
        marks: Array<{ emoji: string; by: ScriptPerson }>;
      }
    | { kind: 'react'; by: ScriptPerson; emoji: string; to: string; remove: boolean }
    | { kind: 'edit'; target: string; text: string }
    | { kind: 'delete'; target: string }
  );

export interface IncidentScript {
  /** What the incident is, for a sentence: "a payments incident". */
  about: string;
  timeZone: string;
  /** When the replay begins (the workspace's channels are made then), epoch ms. */
  start: number;
  opsChannel: string;
  /** Where sitrep announces declares and status changes; null for nowhere. */
  announceChannel: string | null;
  people: ScriptPerson[];
  steps: ScriptStep[];
}

/** A script that cannot be played; the message names the file and every bad step. */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source} is not a script sitrep can replay:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const MINUTE_MS = 60_000;

/** Steps in the same minute happen this far apart, in the order written. */
const STEP_SPACING_MS = 1000;

const LOCAL_TIME = /^(?:(\d{4})-(\d{2})-(\d{2}) )?([01]\d|2[0-3]):([0-5]\d)$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2} ([01]\d|2[0-3]):[0-5]\d$/;
const HANDLE = /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/;
const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;
const EMOJI = /^:?[a-z0-9_+-]+:?$/;

const timeText = z.string().regex(LOCAL_TIME, 'must be a local time such as "16:04" or "2024-04-09 06:45"');
const handle = z.string().regex(HANDLE, 'must be a Slack handle: lower-case letters, digits, dots, dashes, underscores');
const emoji = z.string().regex(EMOJI, 'must be an emoji name such as "rotating_light"');
const where = z.enum(['ops', 'incident']);

const personSchema = z.strictObject({
  name: handle,
  realName: z.string().trim().min(1),
  id: z
    .string()
    .regex(/^U[A-Z0-9_]+$/, 'must be a Slack user id such as "U_ALICE"')
    .optional(),
  tz: z.string().optional(),
});

const scriptSchema = z.strictObject({
  $comment: z.string().optional(),
  about: z.string().trim().min(1),
  timeZone: z.string(),
  start: z.string().regex(LOCAL_DATE_TIME, 'must be a local date and time such as "2024-04-09 06:30"'),
  opsChannel: z.string().regex(CHANNEL_NAME, 'must be a channel name such as "ops"').default('ops'),
  announceChannel: z.string().regex(CHANNEL_NAME, 'must be a channel name such as "incidents"').nullable().default('incidents'),
  people: z.array(personSchema).min(1),
  steps: z.array(z.unknown()).min(1),
});

const common = { at: timeText.optional(), $comment: z.string().optional() };

const stepSchemas = {
  command: z.strictObject({ ...common, by: handle, command: z.string(), in: where.optional() }),
  declare: z.strictObject({
    ...common,
    by: handle,
    in: z.literal('ops').optional(),
    declare: z.strictObject({
      title: z.string().trim().min(1),
      severity: z.enum(SEVERITIES).optional(),
      summary: z.string().optional(),
      impact: z.string().optional(),
      private: z.boolean().optional(),
    }),
  }),
  say: z.strictObject({
    ...common,
    by: handle,
    say: z.string().min(1),
    in: where.optional(),
    id: z.string().min(1).optional(),
    thread: z.string().min(1).optional(),
    marks: z.array(z.tuple([emoji, handle])).optional(),
  }),
  react: z.strictObject({ ...common, by: handle, react: emoji, to: z.string().min(1) }),
  unreact: z.strictObject({ ...common, by: handle, unreact: emoji, to: z.string().min(1) }),
  edit: z.strictObject({ ...common, by: handle.optional(), edit: z.string().min(1), text: z.string().min(1) }),
  delete: z.strictObject({ ...common, by: handle.optional(), delete: z.string().min(1) }),
} satisfies Record<StepKind, z.ZodType>;

function pathText(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`))
    .join('');
}

function issueText(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(/^Invalid input: expected (\w+), received undefined$/, 'is missing ($1)');
  const path = pathText(issue.path);
  return path ? `${path}: ${message}` : message;
}

function wallClock(text: string): LocalTime {
  const match = LOCAL_TIME.exec(text);
  if (!match) throw new Error(`not a local time: ${text}`);
  const [, year, month, day, hour, minute] = match;
  return {
    date: year ? { year: Number(year), month: Number(month), day: Number(day) } : null,
    hour: Number(hour),
    minute: Number(minute),
  };
}

function isCalendarDate(date: NonNullable<LocalTime['date']>): boolean {
  const probe = new Date(Date.UTC(date.year, date.month - 1, date.day));
  return probe.getUTCFullYear() === date.year && probe.getUTCMonth() === date.month - 1 && probe.getUTCDate() === date.day;
}

/** The instant of a script time: a dated one as written, a bare one on the day of `previous`. */
function placeStepTime(text: string, zone: string, previous: number): number | string {
  const local = wallClock(text);
  if (local.date && !isCalendarDate(local.date)) return `"${text}" is not a date on the calendar`;
  const date = local.date ?? dayOf(previous, zone);
  return placeLocalTime({ date, hour: local.hour, minute: local.minute }, zone, previous);
}

function dayOf(at: number, zone: string): NonNullable<LocalTime['date']> {
  const [year, month, day] = dayKey(at, zone).split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/** Slack's text for what a person typed: &, < and > encoded, `@name` as a mention, `@here` as a broadcast. */
function slackText(
  typed: string,
  people: ReadonlyMap<string, ScriptPerson>,
  style: 'command' | 'message',
): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const text = escapeMrkdwn(typed).replace(
    /(^|[^\w@.&])@([a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)/g,
    (whole, before: string, name: string) => {
      const person = people.get(name);
      if (person) return `${before}${style === 'command' ? `<@${person.id}|${person.name}>` : `<@${person.id}>`}`;
      if (style === 'message' && ['here', 'channel', 'everyone'].includes(name)) return `${before}<!${name}>`;
      unknown.push(name);
      return whole;
    },
  );
  return { text, unknown };
}

function kindOf(step: Record<string, unknown>): StepKind[] {
  return STEP_KINDS.filter((kind) => Object.hasOwn(step, kind));
}

/** Reads a parsed JSON value as a script; throws ScriptError naming every problem and the step it is in. */
export function parseScript(value: unknown, source = 'the script'): IncidentScript {
  const top = scriptSchema.safeParse(value);
  if (!top.success) throw new ScriptError(source, top.error.issues.map(issueText));
  const raw = top.data;
  const problems: string[] = [];

  const zone = canonicalTimeZone(raw.timeZone);
  if (!zone) throw new ScriptError(source, [`timeZone: "${raw.timeZone}" is not an IANA time zone such as "Europe/Rome"`]);

  const people = new Map<string, ScriptPerson>();
  const ids = new Set<string>();
  raw.people.forEach((person, index) => {
    const id = person.id ?? `U_${person.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    const tz = person.tz === undefined ? zone : canonicalTimeZone(person.tz);
    if (people.has(person.name)) problems.push(`people[${index}]: "${person.name}" is listed twice`);
    else if (ids.has(id)) problems.push(`people[${index}]: the id ${id} is taken by someone else`);
    else if (!tz) problems.push(`people[${index}].tz: "${person.tz}" is not an IANA time zone`);
    else {
      people.set(person.name, { id, name: person.name, realName: person.realName, tz });
      ids.add(id);
    }
  });
  if (raw.announceChannel === raw.opsChannel) problems.push('announceChannel: must differ from opsChannel');

  const start = placeStepTime(raw.start, zone, 0);
  if (typeof start === 'string') throw new ScriptError(source, [...problems, `start: ${start}`]);

  const steps: ScriptStep[] = [];
  /** Messages named by `id`: the step that said it, and the step that deleted it. */
  const named = new Map<string, { step: number; by: ScriptPerson; deletedAt: number | null }>();
  let previousWritten = start;
  let previousAt: number | null = null;
  let incidentZone = zone;
  let declaredAt: number | null = null;

  raw.steps.forEach((input, index) => {
    const number = index + 1;
    const at = isRecord(input) && typeof input.at === 'string' ? input.at : null;
    const kinds = isRecord(input) ? kindOf(input) : [];
    const label = `step ${number}${at || kinds[0] ? ` (${[at, kinds.length === 1 ? kinds[0] : null].filter(Boolean).join(', ')})` : ''}`;
    const problem = (text: string): void => {
      problems.push(`${label}: ${text}`);
    };
    if (!isRecord(input)) return problem('must be an object such as { "at": "16:04", "by": "alice", "say": "…" }');
    const [kind] = kinds;
    if (kind === undefined || kinds.length > 1) {
      return problem(
        `must have exactly one of ${STEP_KINDS.map((k) => `"${k}"`).join(', ')}; it has ${
          kinds.length === 0 ? 'none' : kinds.map((k) => `"${k}"`).join(' and ')
        }`,
      );
    }
    const parsed = stepSchemas[kind].safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problem(issueText(issue));
      return;
    }
    const data = parsed.data as Record<string, unknown>;

    // The time as written (to the minute), and the instant the step happens: a second after
    // the step before when they share a minute, so the record keeps the script's order.
    let written = previousWritten;
    if (typeof data.at === 'string') {
      const placed = placeStepTime(data.at, zone, previousWritten);
      if (typeof placed === 'string') return problem(placed);
      if (placed < previousWritten) {
        return problem(
          `"${data.at}" is before the step before it (${formatDateTime(previousWritten, zone)}); steps go forward in time` +
            (LOCAL_TIME.exec(data.at)?.[1] ? '' : ', and a time without a date is on the same day as the step before (write the date to cross midnight)'),
        );
      }
      written = placed;
    }
    const when = previousAt === null ? written : Math.max(written, previousAt + STEP_SPACING_MS);
    previousWritten = written;
    previousAt = when;

    const person = (name: unknown, what = 'by'): ScriptPerson | null => {
      const found = typeof name === 'string' ? people.get(name) : undefined;
      if (!found) problem(`${what}: "${String(name)}" is not one of the script's people (${[...people.keys()].join(', ')})`);
      return found ?? null;
    };
    const message = (name: string, what: string): { by: ScriptPerson } | null => {
      const found = named.get(name);
      if (!found) {
        problem(`${what}: no earlier "say" step has "id": "${name}"`);
        return null;
      }
      if (found.deletedAt !== null) {
        problem(`${what}: the message "${name}" was deleted at step ${found.deletedAt}`);
        return null;
      }
      return found;
    };
    const needsIncident = (channel: StepChannel, what: string): boolean => {
      if (channel !== 'incident') return true;
      if (declaredAt === null) {
        problem(`${what} happens in the incident's channel, but no step before it declares the incident`);
        return false;
      }
      return true;
    };
    /** Edits and deletes are the author's; `by`, when given, must say so. */
    const byAuthor = (author: ScriptPerson): boolean => {
      if (data.by === undefined || data.by === author.name) return true;
      problem(`by: only the message's author, ${author.name}, can ${kind} it`);
      return false;
    };
    const base = { number, at: when, label };

    switch (kind) {
      case 'command': {
        const by = person(data.by);
        const typed = String(data.command).replace(/^\s*\/incident\b\s*/, '');
        const { text, unknown } = slackText(typed, people, 'command');
        for (const name of unknown) problem(`command: @${name} is not one of the script's people`);
        const result = parseCommand(text);
        if (!result.ok) {
          problem(`sitrep would refuse "/incident ${typed}": ${decodeEntities(result.error)}`);
          return;
        }
        const { command } = result;
        const isDeclare = command.kind === 'declare' || command.kind === 'declare-modal';
        if (command.kind === 'declare-modal') {
          problem('"declare" alone opens the form; use a "declare" step to fill it in, or give a title');
          return;
        }
        const channel: StepChannel = (data.in as StepChannel | undefined) ?? (isDeclare ? 'ops' : 'incident');
        if (isDeclare) {
          if (declaredAt !== null) problem('a script declares one incident, and an earlier step already did');
          declaredAt = when;
        } else if (channel === 'ops' && needsIncidentChannel(command)) {
          problem(`\`${command.kind}\` works only in the incident's channel`);
        } else if (!needsIncident(channel, `\`${command.kind}\``)) {
          return;
        }
        if (command.kind === 'timezone') incidentZone = canonicalTimeZone(command.zone) ?? incidentZone;
        if ((command.kind === 'note' || command.kind === 'timestamp') && command.time) {
          const placed = placeLocalTime(command.time, incidentZone, when);
          if (placed > when) {
            problem(
              `${command.kind}: ${formatDateTime(placed, incidentZone)} is after the step's own time ` +
                `(${formatDateTime(when, incidentZone)}); sitrep refuses times in the future`,
            );
          }
        }
        if (!by) return;
        steps.push({ ...base, kind: 'command', by, channel, text, commandKind: command.kind });
        return;
      }
      case 'declare': {
        const by = person(data.by);
        const form = data.declare as { title: string; severity?: Severity; summary?: string; impact?: string; private?: boolean };
        if (declaredAt !== null) problem('a script declares one incident, and an earlier step already did');
        declaredAt = when;
        if (!by) return;
        steps.push({
          ...base,
          kind: 'declare',
          by,
          title: form.title,
          severity: form.severity ?? 'sev3',
          summary: form.summary?.trim() || null,
          impact: form.impact?.trim() || null,
          isPrivate: form.private ?? false,
        });
        return;
      }
      case 'say': {
        const by = person(data.by);
        const channel: StepChannel = (data.in as StepChannel | undefined) ?? 'incident';
        if (!needsIncident(channel, 'the message')) return;
        const thread = typeof data.thread === 'string' ? data.thread : null;
        if (thread !== null) message(thread, 'thread');
        const marks = ((data.marks as Array<[string, string]> | undefined) ?? []).flatMap(([name, who], at) => {
          const marker = person(who, `marks[${at}]`);
          return marker ? [{ emoji: name.replace(/^:|:$/g, ''), by: marker }] : [];
        });
        const id = typeof data.id === 'string' ? data.id : null;
        if (id !== null) {
          if (named.has(id)) problem(`id: "${id}" already names the message of step ${named.get(id)?.step}`);
          else if (by) named.set(id, { step: number, by, deletedAt: null });
        }
        if (!by) return;
        const { text } = slackText(String(data.say), people, 'message');
        steps.push({ ...base, kind: 'say', by, channel, text, id, thread, marks });
        return;
      }
      case 'react':
      case 'unreact': {
        const by = person(data.by);
        const to = String(data.to);
        if (!message(to, 'to') || !by) return;
        const name = String(data[kind]).replace(/^:|:$/g, '');
        steps.push({ ...base, kind: 'react', by, emoji: name, to, remove: kind === 'unreact' });
        return;
      }
      case 'edit': {
        const target = String(data.edit);
        const found = message(target, 'edit');
        if (!found || !byAuthor(found.by)) return;
        steps.push({ ...base, kind: 'edit', target, text: slackText(String(data.text), people, 'message').text });
        return;
      }
      case 'delete': {
        const target = String(data.delete);
        const found = message(target, 'delete');
        if (!found || !byAuthor(found.by)) return;
        named.set(target, { ...(named.get(target) ?? { step: number, by: found.by }), deletedAt: number });
        steps.push({ ...base, kind: 'delete', target });
        return;
      }
    }
  });

  if (declaredAt === null) problems.push('no step declares the incident (a "declare" step, or a "command": "declare sev2 <title>")');
  if (problems.length > 0) throw new ScriptError(source, problems);
  return {
    about: raw.about,
    timeZone: zone,
    start,
    opsChannel: raw.opsChannel,
    announceChannel: raw.announceChannel,
    people: [...people.values()],
    steps,
  };
}

/** Reads and checks a script file. */
export function loadScript(path: string): IncidentScript {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScriptError(path, [`cannot be read: ${(error as Error).message}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ScriptError(path, [`is not JSON: ${(error as Error).message}`]);
  }
  return parseScript(value, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---- the replay -------------------------------------------------------------

/** What happened, as a person watching the workspace would tell it; text is readable (names, not ids). */
export type ReplayEvent =
  | { kind: 'command'; at: number; step: ScriptStep; who: string; channel: string; text: string }
  | { kind: 'form'; at: number; step: ScriptStep; who: string; fields: Array<[string, string]> }
  | { kind: 'reply'; at: number; step: ScriptStep; who: string; text: string }
  | { kind: 'message'; at: number; step: ScriptStep; who: string; channel: string; text: string; inThread: boolean }
  | { kind: 'reaction'; at: number; step: ScriptStep; who: string; emoji: string; removed: boolean }
  | { kind: 'edit'; at: number; step: ScriptStep; who: string; channel: string; text: string }
  | { kind: 'delete'; at: number; step: ScriptStep; who: string; channel: string; text: string }
  /** A post by the bot; `prompted` is false for the ones nobody's step caused (reminders). */
  | { kind: 'bot'; at: number; channel: string; text: string; prompted: boolean }
  | { kind: 'opened'; at: number; who: string; channel: string }
  | { kind: 'draft'; at: number; channel: string; file: string };

export interface ReplayOptions {
  /** Told each thing as it happens, in order: the demo prints them. */
  onEvent?: (event: ReplayEvent) => void;
  /** Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Keep the database here; by default a temporary one is used and removed. */
  databasePath?: string;
  /** More environment for the app (INCIDENT_CHANNEL_PREFIX…). */
  env?: Record<string, string>;
}

export interface ReplayResult {
  incidentNumber: number;
  channel: { id: string; name: string };
  opsChannel: { id: string; name: string };
  /** The last postmortem draft sitrep posted; null when the script never resolved. */
  draft: { name: string; content: string } | null;
}

/** The script's clock, which the simulator and the app both read. */
class ScriptClock {
  constructor(private at: number) {}
  readonly now = (): number => this.at;
  set(at: number): void {
    this.at = at;
  }
}

/** A step sitrep refused, or one whose effect never showed. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

export async function replay(script: IncidentScript, options: ReplayOptions = {}): Promise<ReplayResult> {
  const dir = options.databasePath === undefined ? mkdtempSync(join(tmpdir(), 'sitrep-replay-')) : null;
  const clock = new ScriptClock(script.start);
  let ops: SimChannel | undefined;
  // What sitrep made of each command, by trigger id: a refusal is read from here, not from the reply's wording.
  const outcomes = new Map<string, CommandOutcome>();
  const box = await startSandbox({
    onCommandOutcome: (outcome) => outcomes.set(outcome.triggerId, outcome),
    databasePath: options.databasePath ?? join(dir ?? '.', 'sitrep.sqlite'),
    env: { INCIDENT_TIMEZONE: script.timeZone, ...options.env },
    now: clock.now,
    logger: options.logger ?? createLogger('warn', pino.destination(2)),
    // Reminders fall due on the script's clock: the replay checks for them whenever it moves.
    reminderIntervalMs: null,
    prepare: (sim): Record<string, string> => {
      for (const person of script.people) {
        sim.addUser({ id: person.id, name: person.name, realName: person.realName, tz: person.tz });
      }
      ops = sim.addChannel({ name: script.opsChannel, members: script.people.map((person) => person.id) });
      if (script.announceChannel === null) return {};
      return { INCIDENT_ANNOUNCE_CHANNEL: sim.addChannel({ name: script.announceChannel }).id };
    },
  });
  try {
    if (!ops) throw new Error('replay: the ops channel was not made');
    return await new Replay(box, script, clock, ops, outcomes, options.onEvent ?? (() => undefined)).run();
  } finally {
    await box.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

class Replay {
  private incident: { channel: SimChannel; number: number } | null = null;
  private readonly messages = new Map<string, { channel: string; ts: string; by: string }>();
  /** Bot posts seen since they were last told, so they follow the step that caused them. */
  private pendingBotPosts: SimMessage[] = [];

  constructor(
    private readonly box: Sandbox,
    private readonly script: IncidentScript,
    private readonly clock: ScriptClock,
    private readonly ops: SimChannel,
    private readonly outcomes: ReadonlyMap<string, CommandOutcome>,
    private readonly tell: (event: ReplayEvent) => void,
  ) {}

  async run(): Promise<ReplayResult> {
    const stopListening = this.box.sim.onBotMessage((message) => this.pendingBotPosts.push(message));
    try {
      for (const step of this.script.steps) {
        await this.passTimeUntil(step.at);
        try {
          await this.play(step);
        } catch (error) {
          if (error instanceof ReplayError) throw error;
          throw new ReplayError(`${step.label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        await this.settle(true);
      }
    } finally {
      stopListening();
    }
    if (!this.incident) throw new ReplayError('the script never opened an incident channel');
    const { channel, number } = this.incident;
    const draft = this.box.sim.filesIn(channel.id).filter((file) => file.uploaded).at(-1);
    return {
      incidentNumber: number,
      channel: { id: channel.id, name: channel.name },
      opsChannel: { id: this.ops.id, name: this.ops.name },
      draft: draft ? { name: draft.name, content: draft.content } : null,
    };
  }

  /**
   * Moves the clock to `until` a minute at a time while an incident is open, with a
   * reminder pass each minute (what the bot's timer would do), so nudges go out when
   * they fall due rather than when the next step happens.
   */
  private async passTimeUntil(until: number): Promise<void> {
    if (this.incident) {
      for (let at = Math.floor(this.clock.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS; at <= until; at += MINUTE_MS) {
        this.clock.set(at);
        await this.box.sitrep.checkReminders();
        await this.settle(false);
      }
    }
    this.clock.set(until);
  }

  /** Waits for the bot's background work, then tells what it posted. */
  private async settle(prompted: boolean): Promise<void> {
    await this.box.sitrep.ctx.tasks.idle();
    const posts = this.pendingBotPosts;
    this.pendingBotPosts = [];
    for (const post of posts) {
      this.tell({ kind: 'bot', at: this.clock.now(), channel: this.channelName(post.channel), text: this.readable(post.text), prompted });
    }
  }

  private async play(step: ScriptStep): Promise<void> {
    const at = step.at;
    switch (step.kind) {
      case 'command':
        return this.command(step);
      case 'declare':
        return this.declareWithForm(step);
      case 'say': {
        const channel = this.channelFor(step.channel);
        channel.members.add(step.by.id);
        const thread = step.thread === null ? undefined : this.message(step.thread);
        this.tell({ kind: 'message', at, step, who: step.by.name, channel: channel.name, text: this.readable(step.text), inThread: thread !== undefined });
        const sent = await this.box.driver.message({
          channelId: channel.id,
          userId: step.by.id,
          text: step.text,
          ...(thread ? { threadTs: thread.ts } : {}),
        });
        expectOk(sent.status, 'the message');
        if (step.id !== null) this.messages.set(step.id, { channel: channel.id, ts: sent.ts, by: step.by.id });
        for (const mark of step.marks) {
          const reacted = await this.box.driver.react({ channelId: channel.id, ts: sent.ts, userId: mark.by.id, name: mark.emoji });
          expectOk(reacted.status, `the :${mark.emoji}: reaction`);
          this.tell({ kind: 'reaction', at, step, who: mark.by.name, emoji: mark.emoji, removed: false });
        }
        return;
      }
      case 'react': {
        const target = this.message(step.to);
        const options = { channelId: target.channel, ts: target.ts, userId: step.by.id, name: step.emoji };
        const response = step.remove ? await this.box.driver.unreact(options) : await this.box.driver.react(options);
        expectOk(response.status, `the :${step.emoji}: reaction`);
        this.tell({ kind: 'reaction', at, step, who: step.by.name, emoji: step.emoji, removed: step.remove });
        return;
      }
      case 'edit': {
        const target = this.message(step.target);
        this.tell({ kind: 'edit', at, step, who: this.userName(target.by), channel: this.channelName(target.channel), text: this.readable(step.text) });
        expectOk((await this.box.driver.edit({ channelId: target.channel, ts: target.ts, text: step.text })).status, 'the edit');
        return;
      }
      case 'delete': {
        const target = this.message(step.target);
        const text = this.box.sim.message(target.channel, target.ts)?.text ?? '';
        this.tell({ kind: 'delete', at, step, who: this.userName(target.by), channel: this.channelName(target.channel), text: this.readable(text) });
        expectOk((await this.box.driver.delete({ channelId: target.channel, ts: target.ts })).status, 'the delete');
        this.messages.delete(step.target);
        return;
      }
    }
  }

  private async command(step: Extract<ScriptStep, { kind: 'command' }>): Promise<void> {
    const channel = this.channelFor(step.channel);
    this.tell({ kind: 'command', at: step.at, step, who: step.by.name, channel: channel.name, text: `/incident ${this.readable(step.text)}` });
    const before = this.snapshot();
    const response = await this.box.driver.command({ userId: step.by.id, channelId: channel.id, text: step.text });
    expectOk(response.status, 'the command');
    const outcome = this.outcomes.get(response.triggerId);
    if (!outcome) throw new ReplayError(`${step.label}: sitrep answered "/incident ${decodeEntities(step.text)}" without saying what became of it`);
    if (outcome.refused) throw new ReplayError(`${step.label}: sitrep refused "/incident ${decodeEntities(step.text)}": ${this.readable(outcome.reply)}`);
    if (outcome.reply !== '') this.tell({ kind: 'reply', at: step.at, step, who: step.by.name, text: this.readable(outcome.reply) });
    if (step.commandKind === 'declare') await this.opened(step.by.name, before);
    if (step.commandKind === 'resolve' || step.commandKind === 'postmortem' || /^status\s+resolved\b/i.test(step.text)) {
      await this.draftPosted(before.files);
    }
  }

  private async declareWithForm(step: Extract<ScriptStep, { kind: 'declare' }>): Promise<void> {
    this.tell({ kind: 'command', at: step.at, step, who: step.by.name, channel: this.ops.name, text: '/incident declare' });
    const before = this.snapshot();
    const opened = await this.box.driver.command({ userId: step.by.id, channelId: this.ops.id, text: 'declare' });
    expectOk(opened.status, 'the command');
    await this.box.sim.waitFor(
      (sim) => sim.modalsFor(step.by.id).some((modal) => modal.open && modal.view.callback_id === DECLARE_VIEW),
      { what: 'the declare form' },
    );
    const plain = (value: string | null) => ({ type: 'plain_text_input', value });
    const fields: Array<[string, string]> = [
      ['Title', step.title],
      ['Severity', severityLabel(step.severity)],
      ...(step.summary !== null ? [['Summary', step.summary] as [string, string]] : []),
      ...(step.impact !== null ? [['Impact', step.impact] as [string, string]] : []),
      ...(step.isPrivate ? [['Visibility', 'Private incident'] as [string, string]] : []),
    ];
    this.tell({ kind: 'form', at: step.at, step, who: step.by.name, fields });
    const submitted = await this.box.driver.submitView({
      userId: step.by.id,
      callbackId: DECLARE_VIEW,
      values: {
        [DECLARE_FIELDS.title]: { [DECLARE_FIELDS.title]: plain(step.title) },
        [DECLARE_FIELDS.severity]: {
          [DECLARE_FIELDS.severity]: {
            type: 'static_select',
            selected_option: { text: { type: 'plain_text', text: severityLabel(step.severity) }, value: step.severity },
          },
        },
        [DECLARE_FIELDS.summary]: { [DECLARE_FIELDS.summary]: plain(step.summary) },
        [DECLARE_FIELDS.impact]: { [DECLARE_FIELDS.impact]: plain(step.impact) },
        [DECLARE_FIELDS.private]: {
          [DECLARE_FIELDS.private]: { type: 'checkboxes', selected_options: step.isPrivate ? [{ value: 'private' }] : [] },
        },
      },
    });
    expectOk(submitted.status, 'the form');
    const answer = submitted.body as { response_action?: unknown; errors?: unknown } | string;
    if (typeof answer === 'object' && answer?.response_action === 'errors') {
      throw new ReplayError(`${step.label}: sitrep refused the form: ${JSON.stringify(answer.errors)}`);
    }
    await this.opened(step.by.name, before);
  }

  private snapshot(): { channels: Set<string>; files: number } {
    return {
      channels: new Set(this.box.sim.channels.keys()),
      files: this.incident ? this.box.sim.filesIn(this.incident.channel.id).length : 0,
    };
  }

  /** Waits for the channel a declare opens, with its summary pinned. */
  private async opened(who: string, before: { channels: Set<string> }): Promise<void> {
    const channel = await this.box.sim.waitFor(
      (sim) => [...sim.channels.values()].find((c) => !before.channels.has(c.id) && !c.isIm && c.pins.size > 0),
      { what: 'the incident channel with its pinned summary' },
    );
    await this.settle(true);
    const prefix = this.box.config.channelPrefix;
    const number = Number(new RegExp(`^${prefix}-(\\d+)-`).exec(channel.name)?.[1] ?? Number.NaN);
    if (!Number.isInteger(number)) throw new ReplayError(`the incident channel #${channel.name} has no incident number in its name`);
    this.incident = { channel, number };
    this.tell({ kind: 'opened', at: this.clock.now(), who, channel: channel.name });
  }

  /** Waits for a new postmortem draft in the incident's channel, uploaded. */
  private async draftPosted(filesBefore: number): Promise<void> {
    const channel = this.requireIncident().channel;
    const file = await this.box.sim.waitFor(
      (sim) => {
        const files = sim.filesIn(channel.id);
        const latest = files.at(-1);
        return files.length > filesBefore && latest?.uploaded ? latest : undefined;
      },
      { what: 'the postmortem draft' },
    );
    await this.settle(true);
    this.tell({ kind: 'draft', at: this.clock.now(), channel: channel.name, file: file.name });
  }

  private requireIncident(): { channel: SimChannel; number: number } {
    if (!this.incident) throw new ReplayError('no incident channel is open yet');
    return this.incident;
  }

  private channelFor(where: StepChannel): SimChannel {
    return where === 'ops' ? this.ops : this.requireIncident().channel;
  }

  private message(id: string): { channel: string; ts: string; by: string } {
    const found = this.messages.get(id);
    if (!found) throw new ReplayError(`no message "${id}" to refer to`);
    return found;
  }

  private channelName(id: string): string {
    return this.box.sim.channels.get(id)?.name ?? id;
  }

  private userName(id: string): string {
    return this.box.sim.users.get(id)?.name ?? id;
  }

  /** Slack markup as a person reads it in the client: names instead of ids, entities decoded. */
  private readable(mrkdwn: string): string {
    return decodeEntities(
      mrkdwn
        .replace(/<@([A-Z0-9_]+)(?:\|[^>]*)?>/g, (_m, id: string) => `@${this.userName(id)}`)
        .replace(/<#([A-Z0-9_]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label ?? this.channelName(id)}`)
        .replace(/<!(here|channel|everyone)>/g, '@$1'),
    );
  }
}

function expectOk(status: number, what: string): void {
  if (status !== 200) throw new ReplayError(`the app answered ${what} with HTTP ${status}`);
}
