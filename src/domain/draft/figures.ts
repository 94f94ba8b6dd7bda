// The figures a postmortem is built around, derived exactly from the record:
// the impact window, the milestones with their offsets, the phases between them,
// how long the channel went without a status update, the time at each severity,
// and which mitigation attempts did not end the impact. Numbers only (epoch ms
// and durations in ms); the draft words them and `--format json` carries them.

import { MILESTONE_LABELS, MILESTONES, type Severity } from '../incident.js';
import type { Category } from '../reactions.js';
import { isJoin, type PostmortemInput, type TimelineMessage } from '../timeline.js';

/** The milestones a draft measures, in the order an incident usually passes them. */
export const DRAFT_MILESTONES = ['impact-started', 'detected', 'declared', 'identified', 'mitigated', 'recovered', 'resolved'] as const;
export type DraftMilestone = (typeof DRAFT_MILESTONES)[number];

export const DRAFT_MILESTONE_LABELS: Readonly<Record<DraftMilestone, string>> = {
  ...MILESTONE_LABELS,
  declared: 'Declared',
  resolved: 'Resolved',
};

/** What a phase is named after: "impact to detection". */
const PHASE_WORDS: Readonly<Record<DraftMilestone, string>> = {
  'impact-started': 'impact',
  detected: 'detection',
  declared: 'declaration',
  identified: 'identification',
  mitigated: 'mitigation',
  recovered: 'recovery',
  resolved: 'resolution',
};

/** The default nudge interval (INCIDENT_UPDATE_REMINDER_MINUTES' default). */
export const DEFAULT_REMINDER_INTERVAL_MS = 30 * 60_000;

/** A declaration this long after impact started is worth a second look. */
export const LATE_DECLARE_MS = 15 * 60_000;

export interface ImpactWindow {
  start: number;
  /** Recovered, else mitigated, else resolved; null while none is known. */
  end: number | null;
  endsWith: 'recovered' | 'mitigated' | 'resolved' | null;
  durationMs: number | null;
}

export interface MilestoneFigure {
  milestone: DraftMilestone;
  at: number | null;
  sinceImpactMs: number | null;
  /** Since the milestone before it in time; null for the first and for unknown ones. */
  sincePreviousMs: number | null;
  previous: DraftMilestone | null;
}

export interface Phase {
  /** "Impact to detection", "Before impact", "After resolution". */
  title: string;
  from: number;
  /** Null while the incident is open and this is its last phase. */
  to: number | null;
  durationMs: number | null;
  /** The milestones at its start and at its end (several when they share a time). */
  startsWith: DraftMilestone[];
  endsWith: DraftMilestone[];
}

/** A stretch of time, measured. */
export interface Stretch {
  from: number;
  to: number;
  durationMs: number;
}

export interface StatusGap extends Stretch {
  /** True when the stretch runs to the end of the record of an incident still open. */
  open: boolean;
}

export interface SeverityPeriod {
  severity: Severity;
  from: number;
  /** Null while the incident is open at this severity. */
  to: number | null;
  durationMs: number | null;
}

/** A message marked as mitigation, and whether the impact went on after it. */
export interface Attempt {
  ts: string;
  at: number;
  userId: string | null;
  /** True when an investigation or impact mark followed before the next mitigation or recovery mark. */
  failed: boolean;
  /** That mark: what showed it had not ended the impact. */
  followedBy: { ts: string; at: number; category: Category } | null;
}

export interface DraftFigures {
  impactWindow: ImpactWindow | null;
  /** Known milestones in time order, then the unknown ones in their usual order. */
  milestones: MilestoneFigure[];
  timeToDeclareMs: number | null;
  /** The first status update after the declaration. */
  firstStatusUpdate: { at: number; sinceDeclaredMs: number; sinceImpactMs: number | null } | null;
  /** Between consecutive status updates (the declaration counts as the first) while the incident was open. */
  statusGaps: StatusGap[];
  longestWithoutUpdate: StatusGap | null;
  severityPeriods: SeverityPeriod[];
  /** Only when the severity changed: the time spent at each. */
  timeAtSeverity: Array<{ severity: Severity; durationMs: number }>;
  phases: Phase[];
  attempts: Attempt[];
  /** The nudge interval the quiet stretches were measured against. */
  reminderIntervalMs: number;
  /** The first and last moments the record holds (for open incidents, where the figures stop). */
  recordSpan: { from: number; to: number };
}

export function impactWindowOf(input: Pick<PostmortemInput, 'incident'>): ImpactWindow | null {
  const { milestones, resolvedAt } = input.incident;
  const start = milestones['impact-started'];
  if (start === undefined) return null;
  const ends: Array<[ImpactWindow['endsWith'], number | null | undefined]> = [
    ['recovered', milestones.recovered],
    ['mitigated', milestones.mitigated],
    ['resolved', resolvedAt],
  ];
  for (const [endsWith, end] of ends) {
    if (end !== undefined && end !== null) return { start, end, endsWith, durationMs: end - start };
  }
  return { start, end: null, endsWith: null, durationMs: null };
}

/** When each draft milestone happened, where known. */
export function milestoneTimes(input: Pick<PostmortemInput, 'incident'>): Partial<Record<DraftMilestone, number>> {
  const { incident } = input;
  const times: Partial<Record<DraftMilestone, number>> = { declared: incident.declaredAt };
  for (const milestone of MILESTONES) {
    const at = incident.milestones[milestone];
    if (at !== undefined) times[milestone] = at;
  }
  if (incident.resolvedAt !== null) times.resolved = incident.resolvedAt;
  return times;
}

export function deriveFigures(input: PostmortemInput, reminderIntervalMs = DEFAULT_REMINDER_INTERVAL_MS): DraftFigures {
  const { incident } = input;
  const window = impactWindowOf(input);
  const times = milestoneTimes(input);
  const recordSpan = spanOf(input);
  const updates = statusUpdateTimes(input);
  const statusGaps = gapsBetween(updates, incident.resolvedAt, recordSpan.to);
  const firstUpdate = updates[1];
  const severityPeriods = severityPeriodsOf(input);
  return {
    impactWindow: window,
    milestones: milestoneFigures(times),
    timeToDeclareMs: window ? incident.declaredAt - window.start : null,
    firstStatusUpdate:
      firstUpdate === undefined
        ? null
        : { at: firstUpdate, sinceDeclaredMs: firstUpdate - incident.declaredAt, sinceImpactMs: window ? firstUpdate - window.start : null },
    statusGaps,
    longestWithoutUpdate: statusGaps.reduce<StatusGap | null>((longest, gap) => (!longest || gap.durationMs > longest.durationMs ? gap : longest), null),
    severityPeriods,
    timeAtSeverity: severityPeriods.length > 1 ? timeAtEachSeverity(severityPeriods) : [],
    phases: phasesOf(times, recordSpan, incident.resolvedAt !== null),
    attempts: attemptsOf(input.messages),
    reminderIntervalMs,
    recordSpan,
  };
}

/** The milestones that have a time, earliest first; at the same time, in their usual order. */
function knownInTimeOrder(times: Partial<Record<DraftMilestone, number>>): DraftMilestone[] {
  return DRAFT_MILESTONES.filter((milestone) => times[milestone] !== undefined).sort(
    (a, b) => (times[a] ?? 0) - (times[b] ?? 0) || DRAFT_MILESTONES.indexOf(a) - DRAFT_MILESTONES.indexOf(b),
  );
}

function milestoneFigures(times: Partial<Record<DraftMilestone, number>>): MilestoneFigure[] {
  const impact = times['impact-started'] ?? null;
  const known = knownInTimeOrder(times);
  const figures = known.map((milestone, index): MilestoneFigure => {
    const at = times[milestone] ?? 0;
    const previous = index > 0 ? (known[index - 1] ?? null) : null;
    return {
      milestone,
      at,
      sinceImpactMs: impact === null ? null : at - impact,
      sincePreviousMs: previous === null ? null : at - (times[previous] ?? at),
      previous,
    };
  });
  const unknown = DRAFT_MILESTONES.filter((milestone) => times[milestone] === undefined).map(
    (milestone): MilestoneFigure => ({ milestone, at: null, sinceImpactMs: null, sincePreviousMs: null, previous: null }),
  );
  return [...figures, ...unknown];
}

/** Everything the record holds a time for: messages said, events, milestones. */
function spanOf(input: PostmortemInput): { from: number; to: number } {
  const { incident } = input;
  let from = incident.declaredAt;
  let to = incident.resolvedAt ?? incident.declaredAt;
  const see = (at: number): void => {
    if (at < from) from = at;
    if (at > to) to = at;
  };
  for (const message of input.messages) if (!message.deleted) see(message.at);
  for (const event of input.events) see(event.at);
  for (const at of Object.values(incident.milestones)) if (at !== undefined) see(at);
  return { from, to };
}

/** The declaration, then every status change or update up to and including the resolution. */
function statusUpdateTimes(input: PostmortemInput): number[] {
  const times = [input.incident.declaredAt];
  for (const event of input.events) {
    if (event.kind === 'status' && event.at >= input.incident.declaredAt) times.push(event.at);
  }
  times.sort((a, b) => a - b);
  const resolvedAt = input.incident.resolvedAt;
  return resolvedAt === null ? times : times.filter((at) => at <= resolvedAt);
}

function gapsBetween(updates: readonly number[], resolvedAt: number | null, recordEnd: number): StatusGap[] {
  const gaps: StatusGap[] = [];
  for (let index = 1; index < updates.length; index += 1) {
    const from = updates[index - 1] ?? 0;
    const to = updates[index] ?? 0;
    if (to > from) gaps.push({ from, to, durationMs: to - from, open: false });
  }
  const last = updates.at(-1);
  if (resolvedAt === null && last !== undefined && recordEnd > last) {
    gaps.push({ from: last, to: recordEnd, durationMs: recordEnd - last, open: true });
  }
  return gaps;
}

function severityPeriodsOf(input: PostmortemInput): SeverityPeriod[] {
  const { incident } = input;
  const changes = input.events.flatMap((event) => (event.kind === 'severity' ? [event] : [])).sort((a, b) => a.at - b.at);
  const declared = input.events.find((event) => event.kind === 'declared');
  let severity: Severity = changes[0]?.from ?? (declared?.kind === 'declared' ? declared.severity : incident.severity);
  let from = incident.declaredAt;
  const periods: SeverityPeriod[] = [];
  for (const change of changes) {
    if (change.at > from) periods.push({ severity, from, to: change.at, durationMs: change.at - from });
    severity = change.to;
    from = Math.max(from, change.at);
  }
  const to = incident.resolvedAt;
  periods.push({ severity, from, to, durationMs: to === null ? null : Math.max(0, to - from) });
  return periods;
}

function timeAtEachSeverity(periods: readonly SeverityPeriod[]): Array<{ severity: Severity; durationMs: number }> {
  const totals = new Map<Severity, number>();
  for (const period of periods) {
    if (period.durationMs !== null) totals.set(period.severity, (totals.get(period.severity) ?? 0) + period.durationMs);
  }
  return [...totals].map(([severity, durationMs]) => ({ severity, durationMs }));
}

/**
 * Phases between the known milestones, in time order. Milestones in the same minute
 * bound the same phase ("Impact and detection to declaration"). Before the first one
 * and after the resolution there is a phase only when the record has something there.
 */
function phasesOf(times: Partial<Record<DraftMilestone, number>>, span: { from: number; to: number }, resolved: boolean): Phase[] {
  const groups: Array<{ at: number; milestones: DraftMilestone[] }> = [];
  const known = knownInTimeOrder(times);
  // Times are shown to the minute: milestones within the same minute bound one phase,
  // not a phase of "14:43 – 14:43 (1s)".
  for (const milestone of known) {
    const at = times[milestone] ?? 0;
    const last = groups.at(-1);
    if (last && Math.floor(last.at / 60_000) === Math.floor(at / 60_000)) last.milestones.push(milestone);
    else groups.push({ at, milestones: [milestone] });
  }
  const words = (milestones: readonly DraftMilestone[]): string => joinWords(milestones.map((milestone) => PHASE_WORDS[milestone]));
  const phases: Phase[] = [];
  const first = groups[0];
  if (first && span.from < first.at) {
    phases.push(phase(`Before ${words(first.milestones)}`, span.from, first.at, [], first.milestones));
  }
  for (let index = 0; index + 1 < groups.length; index += 1) {
    const from = groups[index];
    const to = groups[index + 1];
    if (!from || !to) continue;
    phases.push(phase(`${capitalise(words(from.milestones))} to ${words(to.milestones)}`, from.at, to.at, from.milestones, to.milestones));
  }
  const last = groups.at(-1);
  if (last) {
    if (!resolved) phases.push(phase(`Since ${words(last.milestones)}`, last.at, null, last.milestones, []));
    else if (Math.floor(span.to / 60_000) > Math.floor(last.at / 60_000)) phases.push(phase(`After ${words(last.milestones)}`, last.at, span.to, last.milestones, []));
  }
  return phases;
}

function phase(title: string, from: number, to: number | null, startsWith: DraftMilestone[], endsWith: DraftMilestone[]): Phase {
  return { title, from, to, durationMs: to === null ? null : to - from, startsWith, endsWith };
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/**
 * Each mitigation mark, in time order, and whether it failed: one followed by an
 * investigation or impact mark before the next mitigation or recovery mark did not
 * end the impact.
 */
function attemptsOf(messages: readonly TimelineMessage[]): Attempt[] {
  const marked = messages
    .filter((message) => !message.deleted && !isJoin(message) && message.categories.length > 0)
    .sort((a, b) => a.at - b.at || a.ts.localeCompare(b.ts));
  const attempts: Attempt[] = [];
  let open: Attempt | null = null;
  for (const message of marked) {
    const { categories } = message;
    if (open && !categories.includes('mitigation') && !categories.includes('resolution')) {
      const setback = categories.find((category) => category === 'investigation' || category === 'impact');
      if (setback) {
        open.failed = true;
        open.followedBy = { ts: message.ts, at: message.at, category: setback };
        open = null;
      }
    }
    if (categories.includes('resolution')) open = null;
    if (categories.includes('mitigation')) {
      open = { ts: message.ts, at: message.at, userId: message.userId, failed: false, followedBy: null };
      attempts.push(open);
    }
  }
  return attempts;
}
