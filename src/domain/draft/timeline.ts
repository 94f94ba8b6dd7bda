// The Timeline section: a Mermaid picture, then the marked messages and the
// incident's events in phases bounded by the milestones, days headed inside
// phases when the incident spans days, and a visible marker wherever nothing was
// marked for longer than the reminder interval.

import type { BlockContent, ListItem, PhrasingContent } from 'mdast';
import { severityLabel, statusLabel, type Status } from '../incident.js';
import { codeBlock, emphasis, heading, list, listItem, paragraph, text, todo } from '../markdown.js';
import { mrkdwnToMdast } from '../mrkdwn.js';
import { CATEGORY_LABELS, reactionLegend, type Category } from '../reactions.js';
import { dayKey, formatDayHeading, formatDuration, formatTime } from '../time.js';
import type { IncidentEvent } from '../timeline.js';
import { authorWithNotes, messageBlocks, oneLine, rangeText, textBlocks, timeOf, withLead, type DraftContext, type Entry } from './context.js';
import { DRAFT_MILESTONE_LABELS, type Phase } from './figures.js';
import { ganttChart } from './gantt.js';

export function timeline(ctx: DraftContext): BlockContent[] {
  if (ctx.entries.length === 0) {
    return [
      paragraph(
        ...todo(
          `nothing was marked. React to the messages that mattered (${reactionLegend(ctx.reactions, ', ')}) or add notes with`,
          '/incident note <time> <text>',
        ),
      ),
    ];
  }
  const blocks: BlockContent[] = [];
  const chart = ganttChart(ctx.incident.number, ctx.figures, ctx.zone);
  if (chart) blocks.push(codeBlock('mermaid', chart));
  const statusBefore = statusesBefore(ctx.entries);
  const byPhase = inPhases(ctx.entries, ctx.figures.phases);
  let previous: Entry | null = null;
  let lastDay: string | null = null;
  for (const { phase, entries } of byPhase) {
    if (phase) blocks.push(heading(3, text(phaseHeading(ctx, phase))));
    if (entries.length === 0) {
      blocks.push(paragraph(emphasis(text('Nothing was marked in this phase.'))));
      continue;
    }
    let items: ListItem[] = [];
    const flush = (): void => {
      if (items.length > 0) blocks.push(list(items));
      items = [];
    };
    for (const entry of entries) {
      const day = ctx.dayOf.get(entry) ?? dayKey(entry.at, ctx.zone);
      if (ctx.multiDay && day !== lastDay) {
        flush();
        blocks.push(heading(4, text(formatDayHeading(entry.at, ctx.zone))));
      }
      lastDay = day;
      const quiet = previous === null ? null : quietBetween(ctx, previous.at, entry.at);
      if (quiet) items.push(quiet);
      items.push(entryItem(ctx, entry, statusBefore.get(entry) ?? null));
      previous = entry;
    }
    flush();
  }
  return blocks;
}

/** "Impact to detection: 05:00 – 06:00 EDT (1h)". */
function phaseHeading(ctx: DraftContext, phase: Phase): string {
  if (phase.to === null) return `${phase.title}: ${ctx.when(phase.from)}, still open`;
  return `${phase.title}: ${rangeText(ctx, phase.from, phase.to)} (${formatDuration(phase.to - phase.from)})`;
}

/**
 * Each entry in the phase whose span holds it; an entry at a boundary opens the phase
 * that starts there. An incident whose milestones all fall in one minute has no phases:
 * its entries are one list without a heading.
 */
function inPhases(entries: readonly Entry[], phases: readonly Phase[]): Array<{ phase: Phase | null; entries: Entry[] }> {
  if (phases.length === 0) return [{ phase: null, entries: [...entries] }];
  const grouped = phases.map((phase) => ({ phase, entries: [] as Entry[] }));
  let index = 0;
  for (const entry of entries) {
    while (index + 1 < grouped.length && entry.at >= (grouped[index + 1]?.phase.from ?? Infinity)) index += 1;
    grouped[index]?.entries.push(entry);
  }
  return grouped;
}

/** While the incident was open, a stretch with nothing marked longer than the reminder interval is shown. */
function quietBetween(ctx: DraftContext, from: number, to: number): ListItem | null {
  const { incident, figures } = ctx;
  const openUntil = incident.resolvedAt ?? Infinity;
  if (to - from <= figures.reminderIntervalMs || from < incident.declaredAt || to > openUntil) return null;
  return listItem([paragraph(emphasis(text(`${formatDuration(to - from)} with nothing marked (${rangeText(ctx, from, to)}).`)))]);
}

/** Inside the timeline the day is in a heading, so an entry shows only its time. */
function entryItem(ctx: DraftContext, entry: Entry, before: Status | null): ListItem {
  const time = formatTime(entry.at, ctx.zone);
  if (entry.kind === 'event') return listItem(withLead([timeOf(ctx, time, null), text(' · ')], eventBlocks(ctx, entry.event, before)));
  const { message } = entry;
  const author = authorWithNotes(ctx, message);
  const labels = [...entry.milestones.map((milestone) => DRAFT_MILESTONE_LABELS[milestone]), categoryList(message.categories)];
  const lead: PhrasingContent[] = [timeOf(ctx, time, message), text(` · ${labels.join(' · ')} · ${author}: `)];
  return listItem(withLead(lead, messageBlocks(ctx, message)));
}

export function categoryList(categories: readonly Category[]): string {
  return categories.map((category) => CATEGORY_LABELS[category]).join(', ');
}

/** The status in force before each entry, to tell a new status from an update at the same one. */
export function statusesBefore(entries: readonly Entry[]): Map<Entry, Status | null> {
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

function eventBlocks(ctx: DraftContext, event: IncidentEvent, before: Status | null): BlockContent[] {
  const actor = ctx.nameOf(event.actorId);
  const assignedBy = (userId: string): string => (userId === event.actorId ? '' : ` (assigned by ${actor})`);
  switch (event.kind) {
    case 'declared':
      return [paragraph(text(`Incident declared by ${actor} (${severityLabel(event.severity)}): ${oneLine(event.title)}`))];
    case 'status': {
      const head = before === event.status ? `Status update (${statusLabel(event.status)}) by ${actor}` : `Status → ${statusLabel(event.status)} by ${actor}`;
      return event.message?.trim() ? withLead([text(`${head}: `)], mrkdwnToMdast(event.message, ctx.names)) : [paragraph(text(head))];
    }
    case 'severity':
      return [paragraph(text(`Severity ${severityLabel(event.from)} → ${severityLabel(event.to)} by ${actor}`))];
    case 'role':
      return [paragraph(text(`${ctx.nameOf(event.userId)} is now ${event.role}${assignedBy(event.userId)}`))];
    case 'milestone':
      return [paragraph(text(`${DRAFT_MILESTONE_LABELS[event.milestone]} (recorded by ${actor})`))];
    case 'note':
      return withLead([text(`Note · ${actor}: `)], textBlocks(ctx, event.text));
    case 'summary':
    case 'impact':
      return withLead([text(`${event.kind === 'summary' ? 'Summary' : 'Impact statement'} set by ${actor}: `)], textBlocks(ctx, event.text));
  }
}

