// The postmortem draft: an incident and its record as a Markdown syntax tree,
// serialised once at the end. Everything a person wrote enters the tree as node
// values, so no message can break the document's structure. The figures (impact
// window, milestones, phases, gaps) are derived exactly from the record
// (draft/figures.ts); what the record does not say is left as a visible
// `**TODO:**` prompt, never guessed. One file per group of sections in draft/.

import type { BlockContent, Root } from 'mdast';
import { incidentRef } from './incident.js';
import { heading, serializeOwned, text } from './markdown.js';
import { withTokenCache } from './mrkdwn.js';
import { isValidTimeZone } from './time.js';
import type { PostmortemInput } from './timeline.js';
import { draftContext, oneLine } from './draft/context.js';
import { detection, mitigation, rootCause } from './draft/evidence.js';
import type { DraftFigures } from './draft/figures.js';
import { lessons, suggestionsFor } from './draft/lessons.js';
import { fieldTable, impact, milestones, preamble, summary } from './draft/overview.js';
import { followUps, participants, statusUpdates, transcript } from './draft/record.js';
import { timeline } from './draft/timeline.js';

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
  'Milestones',
  'Timeline',
  'Detection',
  'Root cause',
  'Mitigation and resolution',
  'Status updates',
  'Follow-up actions',
  'Lessons learned',
  'Participants',
  'Transcript',
] as const;
type Section = (typeof POSTMORTEM_SECTIONS)[number];

/** The draft as Markdown (GFM: tables, task lists, strikethrough). */
export function renderPostmortem(input: PostmortemInput, options: PostmortemOptions = {}): string {
  // The tree is this call's own, so it is tidied in place rather than copied.
  return serializeOwned(buildPostmortem(input, options));
}

/** The figures the draft is built around, and its suggestions, for `--format json`. */
export function postmortemFigures(input: PostmortemInput, options: PostmortemOptions = {}): DraftFigures & { suggestions: string[] } {
  const zone = options.timeZone ?? input.incident.timeZone;
  if (!isValidTimeZone(zone)) throw new RangeError(`Unknown time zone: ${JSON.stringify(zone)}`);
  return withTokenCache(() => {
    const ctx = draftContext(input, zone, options.reminderIntervalMs);
    return { ...ctx.figures, suggestions: suggestionsFor(ctx) };
  });
}

/** The draft as an mdast tree, for callers that want to add to it or inspect it. */
export function buildPostmortem(input: PostmortemInput, options: PostmortemOptions = {}): Root {
  return withTokenCache(() => buildTree(input, options));
}

function buildTree(input: PostmortemInput, options: PostmortemOptions): Root {
  const zone = options.timeZone ?? input.incident.timeZone;
  if (!isValidTimeZone(zone)) throw new RangeError(`Unknown time zone: ${JSON.stringify(zone)}`);
  const ctx = draftContext(input, zone, options.reminderIntervalMs);
  const sections: Record<Section, () => BlockContent[]> = {
    Summary: () => summary(ctx),
    Impact: () => impact(ctx),
    Milestones: () => milestones(ctx),
    Timeline: () => timeline(ctx),
    Detection: () => detection(ctx),
    'Root cause': () => rootCause(ctx),
    'Mitigation and resolution': () => mitigation(ctx),
    'Status updates': () => statusUpdates(ctx),
    'Follow-up actions': () => followUps(ctx),
    'Lessons learned': () => lessons(ctx),
    Participants: () => participants(ctx),
    Transcript: () => transcript(ctx),
  };
  return {
    type: 'root',
    children: [
      heading(1, text(headingText(incidentRef(input.incident.number), input.incident.title))),
      preamble(ctx),
      fieldTable(ctx),
      ...POSTMORTEM_SECTIONS.flatMap((title) => [heading(2, text(title)), ...sections[title]()]),
    ],
  };
}

/**
 * `INC-7: Title` on one line, without the trailing punctuation that Markdown linters
 * flag in headings; a title that is nothing but punctuation leaves `INC-7` alone.
 */
function headingText(ref: string, title: string): string {
  const words = oneLine(title).replace(/[\s.,;:!。，；：！]+$/u, '');
  return words ? `${ref}: ${words}` : ref;
}
