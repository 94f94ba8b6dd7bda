// Lessons learned: suggestions the record supports, each labelled as one the
// author can delete, then the three questions only the people involved can answer.

import type { BlockContent, ListItem } from 'mdast';
import { SEVERITIES, severityLabel } from '../incident.js';
import { list, listItem, paragraph, strong, text, todo } from '../markdown.js';
import { mrkdwnToPlainText } from '../mrkdwn.js';
import { formatDuration } from '../time.js';
import { authorOf, rangeText, type DraftContext } from './context.js';
import { LATE_DECLARE_MS } from './figures.js';

/** How much of a message a suggestion quotes. */
const QUOTE_WORDS = 12;

export function lessons(ctx: DraftContext): BlockContent[] {
  const suggestions = suggestionsFor(ctx).map((sentence) =>
    listItem([paragraph(strong(text('Suggestion')), text(` (delete it if it does not apply): ${sentence}`))]),
  );
  const prompts: ListItem[] = [
    listItem([paragraph(...todo('what went well?'))]),
    listItem([paragraph(...todo('what went badly?'))]),
    listItem([paragraph(...todo('where did we get lucky?'))]),
  ];
  return [list([...suggestions, ...prompts])];
}

/** What the record shows that a review usually asks about, as sentences. */
export function suggestionsFor(ctx: DraftContext): string[] {
  const { figures } = ctx;
  const suggestions: string[] = [];
  for (const attempt of figures.attempts) {
    const message = ctx.marked.get(attempt.ts);
    if (!attempt.failed || !message) continue;
    suggestions.push(
      `the attempt at ${ctx.when(attempt.at)} (${authorOf(ctx, message)}: "${opening(ctx, message.text)}") did not end the impact. ` +
        'What made it look likely to work, and what would have shown sooner that it would not?',
    );
  }
  const lag = figures.timeToDeclareMs;
  if (lag !== null && lag > LATE_DECLARE_MS) {
    suggestions.push(
      `the incident was declared ${formatDuration(lag)} after impact started. What would have let us declare sooner: an alert, a lower bar for declaring?`,
    );
  }
  for (const gap of figures.statusGaps) {
    if (gap.durationMs <= figures.reminderIntervalMs) continue;
    suggestions.push(
      `no status update for ${formatDuration(gap.durationMs)} (${rangeText(ctx, gap.from, gap.to)}), longer than the ${formatDuration(figures.reminderIntervalMs)} between reminders. ` +
        'Who was waiting for news, and what would have made updating easier?',
    );
  }
  const periods = figures.severityPeriods;
  for (let index = 1; index < periods.length; index += 1) {
    const from = periods[index - 1];
    const to = periods[index];
    if (!from || !to || SEVERITIES.indexOf(to.severity) >= SEVERITIES.indexOf(from.severity)) continue;
    suggestions.push(
      `severity was raised from ${severityLabel(from.severity)} to ${severityLabel(to.severity)} at ${ctx.when(to.from)}, ` +
        `${formatDuration(to.from - ctx.incident.declaredAt)} after the declaration. What did we learn then that we could have known at the start?`,
    );
  }
  return suggestions;
}

/** The first words of a message, plain, for quoting in a sentence. */
function opening(ctx: DraftContext, mrkdwn: string): string {
  const words = mrkdwnToPlainText(mrkdwn, ctx.names).replace(/"/g, "'").split(/\s+/).filter(Boolean);
  return words.length > QUOTE_WORDS ? `${words.slice(0, QUOTE_WORDS).join(' ')}…` : words.join(' ');
}
