// Shortening text for Slack's limits without breaking a character. Slack counts
// UTF-16 units, as JavaScript's `length` does, so a plain slice can end in half an
// emoji (a lone surrogate, shown as �) or split a flag or a family emoji in two.
// Cutting at grapheme boundaries keeps every character whole.

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `text` cut to at most `max` UTF-16 units at a character boundary, ending with
 * `ellipsis` (counted in the limit) when something was cut.
 */
export function clip(text: string, max: number, ellipsis = ''): string {
  if (text.length <= max) return text;
  const room = max - ellipsis.length;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    if (index + segment.length > room) break;
    end = index + segment.length;
  }
  return text.slice(0, end) + ellipsis;
}
