import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeEntities,
  escapeMrkdwn,
  mrkdwnToMdast,
  mrkdwnToPhrasing,
  mrkdwnToPlainText,
  neutralizeBroadcasts,
} from '../../src/domain/mrkdwn.js';
import { paragraph, serializeBlocks } from '../../src/domain/markdown.js';
import { allNodes, containsBroadcast, HOSTILE_PIECES, parseMarkdown, textOf } from './markdown-support.js';

const names = { U1: 'Alice', U2: 'Bob Smith', constructor: 'Mallory' };
const markdown = (mrkdwn: string): string => serializeBlocks(mrkdwnToMdast(mrkdwn, names)).replace(/\n$/, '');
const phrasing = (mrkdwn: string, singleLine = false): string =>
  serializeBlocks([paragraph(...mrkdwnToPhrasing(mrkdwn, names, { singleLine }))]).replace(/\n$/, '');

describe('mrkdwnToMdast', () => {
  it.each([
    // mentions, channels, groups, broadcasts
    ['<@U1> ok', '@Alice ok'],
    ['<@U2|bob>', '@Bob Smith'],
    ['<@U3|carol>', '@carol'],
    ['<@U4>', '@U4'],
    ['<@constructor>', '@Mallory'],
    ['<@toString>', '@toString'],
    ['<#C1|ops>', '\\#ops'],
    ['<#C1>', '\\#C1'],
    ['<!subteam^S1|@sre>', '@sre'],
    ['<!subteam^S1>', '@S1'],
    ['<!channel>', '@channel'],
    ['<!here>', '@here'],
    ['<!everyone>', '@everyone'],
    ['<!here|@here>', '@here'],
    ['<!group>', '@channel'],
    ['&lt;!channel&gt; typed literally', '@channel typed literally'],
    ['<!date^1392734382^{date_num} {time_secs}|Feb 18, 2014 at 6:39 AM PST>', 'Feb 18, 2014 at 6:39 AM PST'],
    ['<!date^1392734382^{date}>', '2014-02-18 14:39 UTC'],
    // links: only the web and mail become links
    ['<https://x.example/a?b=1&amp;c=2|the label>', '[the label](https://x.example/a?b=1\\&c=2)'],
    ['<https://x.example>', '<https://x.example>'],
    ['<http://x.example|x>', '[x](http://x.example)'],
    ['<https://x.example|*bold* label>', '[**bold** label](https://x.example)'],
    ['<https://x.example/a b|spaced>', '[spaced](https://x.example/a%20b)'],
    ['<mailto:a@b.example|a@b.example>', '<a@b.example>'],
    ['<mailto:a@b.example|write to us>', '[write to us](mailto:a@b.example)'],
    ['<javascript:alert(1)|click>', 'click'],
    ['<javascript:alert(1)>', 'javascript:alert(1)'],
    ['<ftp://x.example|ftp>', 'ftp'],
    // entities, decoded exactly once
    ['a &amp; b', 'a & b'],
    ['&lt;tag&gt;', '\\<tag>'],
    ['&amp;lt;', '\\&lt;'],
    ['&amp;amp;', '\\&amp;'],
    // formatting
    ['*bold*', '**bold**'],
    ['_italic_', '_italic_'],
    ['~strike~', '~~strike~~'],
    ['`code`', '`code`'],
    ['`a | b` and `&lt;b&gt;`', '`a | b` and `<b>`'],
    ['*bold _and italic_*', '**bold _and italic_**'],
    ['snake_case_name and 2*3*4', 'snake_case_name and 2\\*3\\*4'],
    [':fire: fixed', ':fire: fixed'],
    // blocks and lines
    ['```block\nline 2```', '```text\nblock\nline 2\n```'],
    ['```\nconst a = b &amp;&amp; c;\n```', '```text\nconst a = b && c;\n```'],
    ['```has ``two`` inside```', '```text\nhas ``two`` inside\n```'],
    ['before\n```\ncode\n```\nafter', 'before\n\n```text\ncode\n```\n\nafter'],
    ['line one\nline two', 'line one\\\nline two'],
    ['para one\n\npara two', 'para one\n\npara two'],
    ['para one\n   \npara two', 'para one\n\npara two'],
    ['trailing space   \n   leading space', 'trailing space\\\nleading space'],
    ['&gt; quoted\n&gt; more\nafter', '> quoted\\\n> more\n\nafter'],
    ['&gt;&gt;&gt; all\nof this', '> all\\\n> of this'],
    // Markdown syntax in text stays text
    ['# not a heading', '\\# not a heading'],
    ['1. not a list', '1\\. not a list'],
    ['* not a list', '\\* not a list'],
    ['---', '\\---'],
    ['| not | a table |', '\\| not | a table |'],
    ['&lt;script&gt;alert(1)&lt;/script&gt;', '\\<script>alert(1)\\</script>'],
    ['[not](a link) ![nor](an image)', '\\[not]\\(a link) !\\[nor]\\(an image)'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(markdown(input)).toBe(expected);
  });

  it('keeps a very long quote (the parser recurses per quoted line) instead of failing', () => {
    const blocks = mrkdwnToMdast('&gt; line\n'.repeat(9000), names);
    expect(blocks.every((block) => block.type === 'blockquote')).toBe(true);
    expect(blocks).toHaveLength(1);
  });

  it('handles 40k characters of hostile markup quickly', () => {
    const started = performance.now();
    for (const text of ['*a `'.repeat(10_000), '<'.repeat(40_000), '_a'.repeat(20_000), '```'.repeat(13_000)]) {
      mrkdwnToMdast(text, names);
    }
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('mrkdwnToPhrasing', () => {
  it.each([
    ['a\n\n```x\ny```\n&gt; q', false, 'a\\\n`x y`\\\nq'],
    ['a\n\n```x\ny```\n&gt; q', true, 'a `x y` q'],
    ['*b* <@U1>', false, '**b** @Alice'],
  ])('%j (single line: %s) → %j', (input, singleLine, expected) => {
    expect(phrasing(input, singleLine)).toBe(expected);
  });
});

describe('mrkdwnToPlainText', () => {
  it.each([
    ['<@U1> and <@U9|zed> in <#C1|ops>', '@Alice and @zed in #ops'],
    ['*bold* _it_ ~st~ `code`', 'bold it st code'],
    ['<https://x.example|dashboard>', 'dashboard (https://x.example)'],
    ['<https://x.example>', 'https://x.example'],
    ['<mailto:a@b.example|a@b.example>', 'a@b.example'],
    ['<javascript:alert(1)|click>', 'click'],
    ['a &amp;lt; b &amp; c', 'a &lt; b & c'],
    ['&gt; quoted\n&gt; more\nafter', 'quoted\nmore\nafter'],
    ['before\n```\ncode\n```\nafter', 'before\ncode\nafter'],
    ['<!channel> <!here> <!subteam^S1|@sre>', '@channel @here @sre'],
    ['&lt;!channel&gt; &lt;!subteam^S1&gt;', '@channel <\u2060!subteam^S1>'],
  ])('%j → %j', (input, expected) => {
    expect(mrkdwnToPlainText(input, names)).toBe(expected);
  });
});

describe('entities', () => {
  it.each([
    ['&amp;lt;', '&lt;'],
    ['&lt;&gt;&amp;', '<>&'],
    ['&quot;&#39;', '&quot;&#39;'],
  ])('decodeEntities(%j) is %j', (input, expected) => {
    expect(decodeEntities(input)).toBe(expected);
  });

  it('escapeMrkdwn undoes decodeEntities', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (value) => decodeEntities(escapeMrkdwn(value)) === value));
  });
});

describe('neutralizeBroadcasts', () => {
  const untouched = '<@U1> see <https://x.example|this> &amp; <!date^1^{date}|then>';
  it.each([
    ['<!channel> deploy done', '@channel deploy done'],
    ['<!here|@here> and <!everyone>', '@here and @everyone'],
    ['<!CHANNEL>', '@channel'],
    ['<!group>', '@channel'],
    ['ping <!subteam^S1|@sre>', 'ping @sre'],
    ['ping <!subteam^S1>', 'ping @S1'],
    ['half <!channel and <!subteam^', 'half &lt;!channel and &lt;!subteam^'],
    [untouched, untouched],
  ])('%j → %j', (input, expected) => {
    expect(neutralizeBroadcasts(input)).toBe(expected);
  });
});

describe('properties', () => {
  const hostile = fc.string({ unit: fc.constantFrom(...HOSTILE_PIECES), maxLength: 60 });
  const inputs = fc.oneof(hostile, fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

  it('never throws and never re-emits a broadcast', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const md = serializeBlocks(mrkdwnToMdast(input, names));
        expect(containsBroadcast(md)).toBe(false);
        expect(containsBroadcast(serializeBlocks([paragraph(...mrkdwnToPhrasing(input, names))]))).toBe(false);
        expect(containsBroadcast(mrkdwnToPlainText(input, names))).toBe(false);
        expect(containsBroadcast(neutralizeBroadcasts(input))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('only ever yields paragraphs, code and quotes, and no raw HTML', () => {
    fc.assert(
      fc.property(inputs, (input) => {
        const tree = parseMarkdown(serializeBlocks(mrkdwnToMdast(input, names)));
        for (const block of tree.children) expect(['paragraph', 'code', 'blockquote']).toContain(block.type);
        const types = new Set(allNodes(tree).map((node) => node.type));
        for (const banned of ['html', 'heading', 'list', 'table', 'thematicBreak', 'definition', 'image']) {
          expect(types.has(banned as never)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the words of plain text (decoded, trimmed at line edges)', () => {
    const plainish = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '.', ',', '1', '?'), maxLength: 40 });
    fc.assert(
      fc.property(plainish, (input) => {
        const tree = parseMarkdown(serializeBlocks(mrkdwnToMdast(input, names)));
        expect(textOf(tree)).toBe(input.trim());
      }),
    );
  });
});
