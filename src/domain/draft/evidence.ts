// Detection, Root cause, and Mitigation and resolution: what the marks say, in
// time order, with the attempts that did not end the impact shown as such. Where
// nothing is marked, a prompt names the emoji that would have marked it.

import type { BlockContent } from 'mdast';
import { blockquote, list, listItem, paragraph, text, todo } from '../markdown.js';
import { CATEGORY_LABELS, emojiPhrase } from '../reactions.js';
import { formatDuration } from '../time.js';
import { authorOf, messageBlocks, timeOf, type DraftContext } from './context.js';
import { quotedMessages, timestampCommand } from './overview.js';
import { categoryList } from './timeline.js';

export function detection(ctx: DraftContext): BlockContent[] {
  const blocks: BlockContent[] = [];
  const detected = ctx.incident.milestones.detected;
  const start = ctx.figures.impactWindow?.start;
  if (detected !== undefined) {
    const after = start === undefined ? '' : `, ${formatDuration(detected - start)} after impact started`;
    blocks.push(paragraph(text(`Detected at ${ctx.when(detected)}${after}.`)));
  } else {
    blocks.push(paragraph(...todo('when was it noticed?', timestampCommand('detected'))));
  }
  const quoted = quotedMessages(ctx, ['detection']);
  if (quoted) blocks.push(quoted);
  else {
    blocks.push(
      paragraph(
        ...todo(
          'how was it detected: an alert, a customer report, someone noticing? Could we have known sooner? ' +
            `(mark the alert or report with ${emojiPhrase(['detection'], ctx.reactions)})`,
        ),
      ),
    );
  }
  return blocks;
}

export function rootCause(ctx: DraftContext): BlockContent[] {
  const quoted = quotedMessages(ctx, ['cause']);
  if (quoted) return [quoted];
  return [
    paragraph(
      ...todo(
        'what caused it? Go past the trigger to the conditions that let it happen ' +
          `(mark the message that found it with ${emojiPhrase(['cause'], ctx.reactions)})`,
      ),
    ),
  ];
}

/**
 * Mitigation and recovery marks in order. An attempt that an investigation or impact
 * mark followed before the next mitigation or recovery is shown as one that did not
 * end the impact, with what showed it.
 */
export function mitigation(ctx: DraftContext): BlockContent[] {
  const attempts = new Map(ctx.figures.attempts.map((attempt) => [attempt.ts, attempt]));
  const items = ctx.entries.flatMap((entry) => {
    if (entry.kind !== 'message') return [];
    const { message } = entry;
    const categories = message.categories.filter((category) => category === 'mitigation' || category === 'resolution');
    if (categories.length === 0) return [];
    const attempt = attempts.get(message.ts);
    const label = attempt?.failed ? 'Attempt that did not end the impact' : categoryList(categories);
    const blocks: BlockContent[] = [
      paragraph(timeOf(ctx, ctx.when(message.at), message), text(` · ${label} · ${authorOf(ctx, message)}:`)),
      blockquote(messageBlocks(ctx, message)),
    ];
    const setback = attempt?.followedBy ? ctx.marked.get(attempt.followedBy.ts) : undefined;
    if (attempt?.followedBy && setback) {
      blocks.push(
        paragraph(
          text(`Then at ${ctx.when(attempt.followedBy.at)}, ${authorOf(ctx, setback)} (${CATEGORY_LABELS[attempt.followedBy.category].toLowerCase()}):`),
        ),
        blockquote(messageBlocks(ctx, setback)),
      );
    }
    return [listItem(blocks)];
  });
  const blocks: BlockContent[] = [];
  const { mitigated, recovered } = ctx.incident.milestones;
  const times = [
    mitigated === undefined ? null : `Mitigated at ${ctx.when(mitigated)}`,
    recovered === undefined ? null : `recovered at ${ctx.when(recovered)}`,
  ].filter((part): part is string => part !== null);
  if (times.length > 0) {
    const sentence = times.join(', ');
    blocks.push(paragraph(text(`${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`)));
  }
  if (items.length > 0) blocks.push(list(items));
  else {
    blocks.push(
      paragraph(
        ...todo(
          'what stopped the impact, and what restored normal service? ' +
            `(mark those messages with ${emojiPhrase(['mitigation', 'resolution'], ctx.reactions)})`,
        ),
      ),
    );
  }
  return blocks;
}
