// Reading the facts out of a postmortem draft, so tests can assert them one by
// one (the wording around them is free to change).

import { pino } from 'pino';
import { createLogger, type Logger } from '../../src/logger.js';
import { section } from './markdown.js';
import type { LogLine } from './sandbox.js';

/** The field table under the title: { Severity: 'SEV1', 'Impact window': '16:04 – 16:39 UTC (35m)', … }. */
export function fieldTable(markdown: string): Record<string, string> {
  const start = markdown.indexOf('\n| Field');
  if (start < 0) throw new Error('the draft has no field table');
  const rows: Record<string, string> = {};
  for (const line of markdown.slice(start + 1).split('\n')) {
    if (!line.startsWith('|')) break;
    const [field = '', value = ''] = line
      .slice(1, -1)
      .split('|')
      .map((cell) => cell.trim());
    if (field === 'Field' || /^-+$/.test(field)) continue;
    rows[field] = value;
  }
  return rows;
}

export interface TimelineEntry {
  /** The day heading the entry is under, or null when the timeline has none. */
  day: string | null;
  /** As shown: "16:04 UTC". */
  time: string;
  /** The rest of the line: "Impact started (recorded by Freja Holm)". */
  text: string;
}

export function timelineEntries(markdown: string): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let day: string | null = null;
  for (const line of section(markdown, 'Timeline').split('\n')) {
    const heading = /^#### (.+)$/.exec(line);
    if (heading) day = heading[1] ?? null;
    // The time is linked to the message when its permalink is known: `[**16:04 UTC**](https://…)`.
    const entry = /^- \[?\*\*(\d\d:\d\d [A-Za-z0-9+:-]+)\*\*(?:\]\([^)\s]*\))? · (.*)$/.exec(line);
    if (entry) entries.push({ day, time: entry[1] ?? '', text: entry[2] ?? '' });
  }
  return entries;
}

export function dayHeadings(markdown: string): string[] {
  return [...section(markdown, 'Timeline').matchAll(/^#### (.+)$/gm)].map((match) => match[1] ?? '');
}

/** The phase headings of the Timeline: "Impact to detection: 16:04 – 16:05 UTC (1m)". */
export function phaseHeadings(markdown: string): string[] {
  return [...section(markdown, 'Timeline').matchAll(/^### (.+)$/gm)].map((match) => match[1] ?? '');
}

/** A table in `section` as rows of cells (the header row first), Markdown left as written. */
export function tableRows(markdown: string, heading: string): string[][] {
  return section(markdown, heading)
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

export interface StatusUpdate {
  label: string;
  time: string;
  /** Since the update before it: "1h 10m"; null for the first. */
  gap: string | null;
  message: string;
}

/** `- **Identified** · 10:36 CEST · 1h 10m after the previous: We are working…` as { label, time, gap, message }. */
export function statusUpdates(markdown: string): StatusUpdate[] {
  return [
    ...section(markdown, 'Status updates').matchAll(/^- \*\*([A-Za-z]+)\*\* · ([^:\n]+:\d\d [A-Za-z0-9+:-]+)(?: · (\S+(?: \S+)?) after the previous)?(?:: (.*))?$/gm),
  ].map((match) => ({ label: match[1] ?? '', time: match[2] ?? '', gap: match[3] ?? null, message: match[4] ?? '' }));
}

export interface FollowUp {
  text: string;
  type: string;
  /** The owner's name, or "**TODO:** _who?_" when nobody owns it yet. */
  owner: string;
  ticket: string;
  source: string;
}

/** The Follow-up actions table, a row each. */
export function followUps(markdown: string): FollowUp[] {
  return tableRows(markdown, 'Follow-up actions')
    .slice(1)
    .map(([text = '', type = '', owner = '', ticket = '', source = '']) => ({ text, type, owner, ticket, source }));
}

/** A logger that keeps its lines, for asserting that a replay logged no errors. */
export function capturingLogger(): { logger: Logger; lines: LogLine[]; errors(): LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger('info', {
    write: (line: string) => {
      lines.push(JSON.parse(line) as LogLine);
    },
  } as pino.DestinationStream);
  return { logger, lines, errors: () => lines.filter((line) => line.level >= 50) };
}
