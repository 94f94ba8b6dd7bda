// Hostile text for the fuzz suite: what people paste into Slack and what an
// attacker would try. Very long text, NUL and other control characters, bidi
// overrides, lone surrogates, emoji sequences, broadcasts, Slack and Markdown
// syntax, and words that look like commands and times.

import fc from 'fast-check';

export const HOSTILE_ATOMS = [
  // control characters, invisible and bidi
  '\u0000', '\u0001', '\u0007', '\b', '\u000b', '\f', '\r', '\r\n', '\t', '\u001b[31m', '\u007f', '\u0085',
  '\u200b', '\u200d', '\u2028', '\u2029', '\u2060', '\ufeff', '\u202e', '\u202d', '\u202a', '\u2066', '\u2067', '\u2069', '\u061c',
  // surrogates: paired, and alone
  '\ud800', '\udfff', '\udbff', '\ud83d', '\ude00', '😀', '🔥', '👩‍👩‍👧‍👦', '🏳️‍🌈', '🇺🇳', 'e\u0301', 'Ω', '日本語', 'ﷺ', '\u{10ffff}',
  // Slack broadcasts and specials, raw and entity-encoded
  '<!channel>', '<!here>', '<!everyone>', '<!group>', '<!here|here>', '<!subteam^S0123|@sre>', '<!date^1392734382^{date}|x>',
  '&lt;!channel&gt;', '&lt;', '&gt;', '&amp;', '&amp;lt;', '<@U_ALICE>', '<@U_EVIL|admin>', '<#C0001|ops>', '<#C0001>',
  '<https://evil.example|click>', '<javascript:alert(1)|x>', '<mailto:a@b.c>', '<', '>', '|', '!', '@', '#', '^',
  // Markdown and mrkdwn structure
  '```', '`', '*', '_', '~', '> ', '&gt; ', '\n> ', '# ', '\n## Root cause\n', '\n# INC-999: fake\n', '- [ ] ', '| a | b |\n|---|---|',
  '---', '===', '[x](javascript:alert(1))', '![i](http://x/i.png)', '<script>alert(1)</script>', '<!-- -->', '\\', '\n\n',
  // words the parser and the time reader look for
  ' ', 'declare', 'sev1', 'SEV9', 'status', 'resolved', 'note', '14:05', '24:00', '2024-02-30', '2024-04-09 06:45', 'lead', '@',
  // injection classics, harmless here
  '"', "'", '%s', '%n', '${x}', '{{x}}', "'; DROP TABLE messages; --", '../../etc/passwd', 'NaN', '-1', '1e308',
];

/** One UTF-16 code unit, surrogate halves included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));

/** Short hostile strings, many kinds mixed. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.constantFrom(...HOSTILE_ATOMS), { maxLength: 30 }).map((parts) => parts.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 1, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'<>@|!#*_~`&;: \n\t\u0000\u202esev1declare:-0123456789'.split('')), maxLength: 60 }) },
);

/** Very long text: one hostile atom (or a short hostile string) repeated thousands of times. */
export const longText: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.constantFrom(...HOSTILE_ATOMS, 'a', 'word '), hostileText.filter((text) => text.length > 0)), fc.integer({ min: 2_000, max: 12_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / Math.max(1, piece.length))).slice(0, length));

/** Any hostile text, long now and then. */
export const anyText: fc.Arbitrary<string> = fc.oneof({ weight: 6, arbitrary: hostileText }, { weight: 1, arbitrary: longText });
