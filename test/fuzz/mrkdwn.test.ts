// The mrkdwn converter and the postmortem draft against hostile text: control
// characters, bidi overrides, lone surrogates, emoji, broadcasts, Slack and
// Markdown syntax, and very long messages. Nothing throws, nothing pings, and
// nothing anyone writes changes the shape of the document.

import fc from 'fast-check';
import type { List } from 'mdast';
import { describe, expect, it } from 'vitest';
import { serializeBlocks } from '../../src/domain/markdown.js';
import {
  decodeEntities,
  escapeMrkdwn,
  mentionedUserIds,
  mrkdwnToMdast,
  mrkdwnToPhrasing,
  mrkdwnToPlainText,
  neutralizeBroadcasts,
} from '../../src/domain/mrkdwn.js';
import { POSTMORTEM_SECTIONS, renderPostmortem } from '../../src/domain/postmortem.js';
import { CATEGORIES } from '../../src/domain/reactions.js';
import type { IncidentEvent, PostmortemInput } from '../../src/domain/timeline.js';
import { incidentExport } from '../../src/services/export.js';
import { allNodes, containsBroadcast, parseMarkdown, textOf } from '../domain/markdown-support.js';
import { actions, events, incident, message, NAMES, utc } from '../domain/sample-incident.js';
import { anyText, hostileText, longText } from './hostile.js';

const names: Record<string, string> = { U1: 'Alice', U_ALICE: 'Alice <!channel>', constructor: 'Mallory' };

describe('the mrkdwn converter on hostile text', () => {
  /** The converter's promises for one input. */
  function checkConversion(input: string): void {
    const markdown = serializeBlocks(mrkdwnToMdast(input, names));
    const inline = serializeBlocks([{ type: 'paragraph', children: mrkdwnToPhrasing(input, names, { singleLine: true }) }]);
    const plain = mrkdwnToPlainText(input, names);
    for (const output of [markdown, inline, plain, neutralizeBroadcasts(input)]) expect(containsBroadcast(output)).toBe(false);
    const tree = parseMarkdown(markdown);
    for (const block of tree.children) expect(['paragraph', 'code', 'blockquote']).toContain(block.type);
    expect(allNodes(tree).some((node) => ['html', 'heading', 'table', 'list', 'definition'].includes(node.type))).toBe(false);
    // A single-line rendering stays one paragraph, whatever line breaks the message had.
    expect(parseMarkdown(inline).children.length).toBeLessThanOrEqual(1);
  }

  it('never throws, never re-emits a broadcast, and only makes paragraphs, code and quotes', () => {
    fc.assert(fc.property(hostileText, checkConversion), { numRuns: 250 });
  });

  it('does the same for very long messages', () => {
    fc.assert(fc.property(longText, checkConversion), { numRuns: 8 });
  });

  it('neutralises broadcasts once and for all: a second pass changes nothing', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const once = neutralizeBroadcasts(input);
        expect(neutralizeBroadcasts(once)).toBe(once);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes any text, lone surrogates and NULs included, so that it decodes back to itself', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        const escaped = escapeMrkdwn(input);
        expect(escaped).not.toMatch(/[<>]/);
        expect(decodeEntities(escaped)).toBe(input);
      }),
      { numRuns: 300 },
    );
  });

  it('finds only the mentions that are there', () => {
    fc.assert(
      fc.property(anyText, (input) => {
        for (const id of mentionedUserIds(input)) expect(input).toContain(`<@${id}`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the postmortem draft with hostile content everywhere', () => {
  const hostileMessage = fc.record({
    minute: fc.integer({ min: 0, max: 60 * 30 }),
    user: fc.constantFrom('U1', 'U2', 'U3', 'U_UNKNOWN', null),
    // Short texts: very long ones go through the same converter, checked above, and
    // parsing a draft that holds a few of them took most of the suite's fuzzing time.
    text: hostileText,
    categories: fc.subarray([...CATEGORIES]),
    authorName: fc.option(hostileText, { nil: null }),
    files: fc.array(fc.record({ name: hostileText, url: fc.option(hostileText, { nil: null }) }), { maxLength: 2 }),
  });

  it('keeps its title, its twelve sections in order, one timeline entry per mark, and no HTML or broadcasts', () => {
    fc.assert(
      fc.property(
        fc.array(hostileMessage, { maxLength: 6 }),
        fc.record({ title: hostileText, summary: hostileText, impact: hostileText, note: hostileText, name: hostileText, action: hostileText, channelName: hostileText }),
        fc.constantFrom('UTC', 'Asia/Kathmandu'),
        (specs, texts, zone) => {
          const base = utc(16, 0);
          const msgs = specs.map((spec, index) => ({
            ...message(base + spec.minute * 60_000 + index, spec.user, spec.text, spec.categories),
            authorName: spec.authorName,
            files: spec.files,
          }));
          const evts: IncidentEvent[] = [
            ...events(),
            { kind: 'note', at: base + 60_000, actorId: 'U3', text: texts.note },
            { kind: 'status', at: base + 95 * 60_000, actorId: 'U1', status: 'monitoring', message: texts.note },
          ];
          const input: PostmortemInput = {
            incident: incident({
              title: texts.title,
              summary: texts.summary,
              impact: texts.impact,
              resolutionSummary: texts.note,
              channelName: texts.channelName,
              isPrivate: true,
            }),
            messages: msgs,
            events: evts,
            actions: [{ text: texts.action, ownerId: 'U3', createdAt: base, done: false }, ...actions()],
            names: { ...NAMES, U3: texts.name },
          };
          const markdown = renderPostmortem(input, { timeZone: zone });
          const tree = parseMarkdown(markdown);
          const headings = tree.children.filter((node) => node.type === 'heading');
          expect(headings.filter((node) => node.depth === 1)).toHaveLength(1);
          expect(tree.children[0]).toMatchObject({ type: 'heading', depth: 1 });
          expect(textOf(tree.children[0]!)).toMatch(/^INC-42(: |$)/);
          expect(headings.filter((node) => node.depth === 2).map(textOf)).toEqual([...POSTMORTEM_SECTIONS]);
          // The only HTML is the draft's own transcript wrapper, never a person's text.
          expect(allNodes(tree).filter((node) => node.type === 'html').map((node) => ('value' in node ? node.value.split('\n')[0] : ''))).toEqual(
            markdown.includes('<details>') ? ['<!-- markdownlint-disable MD033 -->', '<details>', '</details>', '<!-- markdownlint-enable MD033 -->'] : [],
          );
          expect(containsBroadcast(markdown)).toBe(false);
          expect(markdown).toMatch(/_Private incident\./);

          const timeline = tree.children.slice(
            tree.children.findIndex((node) => node.type === 'heading' && textOf(node) === 'Timeline') + 1,
            tree.children.findIndex((node) => node.type === 'heading' && textOf(node) === 'Detection'),
          );
          // Every item but the markers of quiet stretches ("1h 5m with nothing marked (…).").
          const entries = timeline
            .filter((node): node is List => node.type === 'list')
            .flatMap((list) => list.children)
            .filter((item) => !/^\S+( \S+)? with nothing marked \(/.test(textOf(item))).length;
          expect(entries).toBe(msgs.filter((m) => m.categories.length > 0).length + evts.length);

          // The JSON export carries every message exactly as it was written.
          const exported = JSON.parse(JSON.stringify(incidentExport(input))) as { timeline: Array<{ text: string }> };
          expect(exported.timeline.map((entry) => entry.text)).toEqual(msgs.map((m) => m.text));
        },
      ),
      { numRuns: 20 },
    );
  });
});
