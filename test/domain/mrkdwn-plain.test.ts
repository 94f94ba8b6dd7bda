// The tokeniser's shortcut: text that cannot hold mrkdwn is one text token, so
// it skips slack-message-parser. Here the parser itself is the judge.

import fc from 'fast-check';
import { NodeType, parse } from 'slack-message-parser';
import { describe, expect, it } from 'vitest';
import { mayHaveMarkup } from '../../src/domain/mrkdwn.js';

/** Pieces that start, end or almost make every construct the parser knows. */
const PIECES = ['a', 'b', ' ', '\n', '*', '_', '~', '`', '```', ':', 'x:', ':y', '&gt;', '&lt;', '&amp;', '<', '>', '|', '@U1', '#C1', '!here', '.', ',', '(', ')', 'skin-tone-2'];

function oneTextToken(text: string) {
  return text === '' ? [] : [{ type: NodeType.Text, text, source: text }];
}

describe('mayHaveMarkup', () => {
  it('is false only for text that the parser reads as one text token', () => {
    let plain = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        if (mayHaveMarkup(text)) return;
        plain += 1;
        expect(parse(text).children).toEqual(oneTextToken(text));
      }),
      { numRuns: 20_000 },
    );
    // The property is only worth something if many cases took the shortcut.
    expect(plain).toBeGreaterThan(2_000);
  });

  it('sends every construct to the parser', () => {
    for (const text of ['*bold*', '_it_', '~gone~', '`x`', '```\ncode\n```', ':smile:', '<@U1>', '<https://x|y>', '&gt; quoted']) {
      expect(mayHaveMarkup(text)).toBe(true);
    }
    for (const text of ['ack', 'step 1: drain, step 2: restart', 'a < b and c > d', 'p99 is 12ms (up from 3)']) {
      expect(mayHaveMarkup(text)).toBe(false);
    }
  });
});
