// The incident as a picture: a Mermaid `gantt` chart of the impact window, the
// phases and the severity periods, which GitHub and GitLab draw in place of the
// code block. Times are written as wall-clock times in the incident's zone, so the
// chart's axis reads like the rest of the draft whatever zone the reader is in.

import { incidentRef, severityLabel } from '../incident.js';
import { formatLocalDateTime, zoneAbbreviation } from '../time.js';
import type { DraftFigures } from './figures.js';

/** Mermaid reads `:` `;` `#` and a leading `%%` in a task name as syntax; phase titles are ours, but stay safe. */
function taskName(value: string): string {
  return value.replace(/[:;#,]/g, ' ').replace(/\s+/g, ' ').trim() || 'phase';
}

interface Task {
  name: string;
  from: number;
  to: number;
  tags: string[];
}

/**
 * The chart's text, or null when there is nothing to draw (no stretch of time is
 * known, which cannot happen once an incident is declared and something followed).
 */
export function ganttChart(number: number, figures: DraftFigures, zone: string): string | null {
  const end = figures.recordSpan.to;
  const stamp = (at: number): string => formatLocalDateTime(at, zone);
  const sections: Array<[string, Task[]]> = [];
  const window = figures.impactWindow;
  if (window) {
    sections.push(['Impact', [{ name: window.end === null ? 'Impact (ongoing)' : 'Impact', from: window.start, to: window.end ?? end, tags: ['crit'] }]]);
  }
  sections.push([
    'Phases',
    figures.phases.map((phase) => ({ name: taskName(phase.title), from: phase.from, to: phase.to ?? end, tags: [] })),
  ]);
  sections.push([
    'Severity',
    figures.severityPeriods.map((period) => ({ name: severityLabel(period.severity), from: period.from, to: period.to ?? end, tags: [] })),
  ]);
  const drawn = sections
    // Times are written to the minute: a task shorter than that would be drawn as nothing.
    .map(([title, tasks]): [string, Task[]] => [title, tasks.filter((task) => stamp(task.to) > stamp(task.from))])
    .filter(([, tasks]) => tasks.length > 0);
  if (drawn.length === 0) return null;
  const days = new Set(drawn.flatMap(([, tasks]) => tasks.flatMap((task) => [stamp(task.from).slice(0, 10), stamp(task.to).slice(0, 10)])));
  const lines = [
    'gantt',
    `    title ${incidentRef(number)} in ${zoneAbbreviation(zone, figures.recordSpan.from)} (${zone})`,
    '    dateFormat YYYY-MM-DD HH:mm',
    `    axisFormat ${days.size > 1 ? '%d %b %H:%M' : '%H:%M'}`,
  ];
  for (const [title, tasks] of drawn) {
    lines.push(`    section ${title}`);
    for (const task of tasks) {
      const tags = task.tags.length > 0 ? `${task.tags.join(', ')}, ` : '';
      lines.push(`    ${task.name} :${tags}${stamp(task.from)}, ${stamp(task.to)}`);
    }
  }
  return lines.join('\n');
}
